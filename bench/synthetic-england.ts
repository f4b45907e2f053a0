import type { NetworkDefinition, RouteDefinition, ServiceDefinition } from '../core/routing/network.js';

/** England's scale (BMA): 1,250 PCNs, about 6,500 practices. */
export const ENGLAND = { networks: 1250, practices: 6500 } as const;

const CATEGORIES = [
  'structured-medication-review',
  'enhanced-health-in-care-homes',
  'anticipatory-care',
  'personalised-care',
  'early-cancer-diagnosis',
  'cvd-case-finding',
  'tackling-inequalities',
  'social-prescribing',
  'first-contact-physiotherapy',
  'clinical-pharmacist',
  'community-nursing',
  'mental-health',
  'social-care',
  'community-pharmacy',
  'voluntary-sector',
  'care-home-mdt',
  'hospital-services',
];
const PROVIDERS: [string, NetworkDefinition['organisations'][number]['kind'], string[]][] = [
  [
    'Community Services',
    'community-services',
    ['community-nursing', 'anticipatory-care', 'enhanced-health-in-care-homes', 'care-home-mdt'],
  ],
  ['Mental Health', 'mental-health', ['mental-health']],
  ['Social Care', 'social-care', ['social-care']],
  ['Pharmacy', 'community-pharmacy', ['community-pharmacy']],
  ['Hospital', 'hospital', ['hospital-services', 'early-cancer-diagnosis']],
  ['Voluntary Action', 'voluntary-sector', ['voluntary-sector', 'social-prescribing', 'personalised-care']],
  [
    'PCN Shared Roles',
    'pcn',
    [
      'structured-medication-review',
      'clinical-pharmacist',
      'first-contact-physiotherapy',
      'cvd-case-finding',
      'tackling-inequalities',
    ],
  ],
];

const code = (prefix: string, n: number) => `${prefix}${String(n).padStart(5, '0')}`;

/**
 * A synthetic England: every PCN with its practices (6,500 in all), a provider of every partner kind, and rules for
 * every category with variations by practice, urgency and age (at least 40,000 routes). ODS codes are invented
 * (prefix Y9/Z7) and marked as samples.
 */
export function syntheticEngland(): NetworkDefinition[] {
  const networks: NetworkDefinition[] = [];
  let practiceNumber = 0;
  for (let n = 0; n < ENGLAND.networks; n++) {
    const practicesHere =
      Math.floor(((n + 1) * ENGLAND.practices) / ENGLAND.networks) -
      Math.floor((n * ENGLAND.practices) / ENGLAND.networks);
    const practices = Array.from({ length: practicesHere }, () => ({
      odsCode: code('Y', ++practiceNumber),
      name: `Synthetic Practice ${practiceNumber}`,
      postcode: `ZZ${(practiceNumber % 90) + 1} 1AA`,
    }));
    const organisations = PROVIDERS.map(([name, kind], p) => ({
      odsCode: code('Z7', n * 10 + p),
      name: `Synthetic ${name} ${n}`,
      kind,
    }));
    const endpoints = organisations.map((o, p) =>
      p % 2 === 0
        ? {
            id: `ep-${o.odsCode.toLowerCase()}`,
            organisation: o.odsCode,
            channel: 'fhir-push' as const,
            address: `https://fhir.example.org/${o.odsCode}`,
          }
        : { id: `ep-${o.odsCode.toLowerCase()}`, organisation: o.odsCode, channel: 'mailbox' as const },
    );
    const services: ServiceDefinition[] = PROVIDERS.flatMap(([name, , categories], p) => [
      {
        id: `svc-${p}`,
        name: `${name} ${n}`,
        categories,
        provider: organisations[p]!.odsCode,
        endpoint: endpoints[p]!.id,
      },
      {
        id: `svc-${p}-urgent`,
        name: `${name} ${n} urgent`,
        categories,
        provider: organisations[p]!.odsCode,
        endpoint: endpoints[p]!.id,
      },
    ]);
    const serviceFor = (category: string) => PROVIDERS.findIndex(([, , cats]) => cats.includes(category));
    const routes: RouteDefinition[] = CATEGORIES.flatMap((category) => {
      const p = serviceFor(category);
      return [
        { id: `${category}`, category, service: `svc-${p}`, fallback: true },
        {
          id: `${category}-urgent`,
          category,
          service: `svc-${p}-urgent`,
          priority: 20,
          when: { urgency: ['urgent', 'asap', 'stat'] as const } as RouteDefinition['when'],
        },
        { id: `${category}-young`, category, service: `svc-${p}`, priority: 10, when: { ageBand: { max: 17 } } },
        // one rule per practice for a few categories: the long tail of local agreements
        ...(['social-prescribing', 'community-nursing'].includes(category)
          ? practices.map((pr) => ({
              id: `${category}-${pr.odsCode.toLowerCase()}`,
              category,
              service: `svc-${p}`,
              priority: 5,
              when: { senderPractices: [pr.odsCode] },
            }))
          : []),
      ];
    });
    networks.push({
      id: `synthetic-pcn-${n}`,
      name: `Synthetic PCN ${n}`,
      odsCode: code('Y9', n),
      sample: true,
      practices,
      organisations,
      endpoints,
      services,
      careHomes: [
        {
          odsCode: code('Z7C', n),
          name: `Synthetic Care Home ${n}`,
          alignedPractice: practices[0]!.odsCode,
          careHomeTeam: 'svc-0',
        },
      ],
      routes,
    });
  }
  return networks;
}
