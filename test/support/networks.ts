import type { NetworkDefinition } from '../../core/routing/network.js';

/**
 * A small network for specifications: two practices, one care home, and services of each kind the rules need.
 * Codes are invented (Z8...).
 */
export function testNetwork(overrides: Partial<NetworkDefinition> = {}): NetworkDefinition {
  return {
    id: 'test-pcn',
    name: 'Test PCN',
    odsCode: 'Z8T000',
    sample: true,
    practices: [
      { odsCode: 'Z8T001', name: 'North Practice' },
      { odsCode: 'Z8T002', name: 'South Practice' },
    ],
    organisations: [
      { odsCode: 'Z8T101', name: 'Social Prescribers', kind: 'voluntary-sector' },
      { odsCode: 'Z8T102', name: 'Community Services', kind: 'community-services' },
      { odsCode: 'Z8T103', name: "Young People's Service", kind: 'mental-health' },
      { odsCode: 'Z8T100', name: 'Test PCN (shared roles)', kind: 'pcn' },
    ],
    endpoints: [
      { id: 'ep-social', organisation: 'Z8T101', channel: 'mailbox' },
      {
        id: 'ep-community',
        organisation: 'Z8T102',
        channel: 'fhir-push',
        address: 'https://community.example.org/fhir',
      },
      { id: 'ep-young', organisation: 'Z8T103', channel: 'mailbox' },
      { id: 'ep-pcn', organisation: 'Z8T100', channel: 'mailbox' },
    ],
    services: [
      {
        id: 'social',
        name: 'Social Prescribing',
        categories: ['social-prescribing'],
        provider: 'Z8T101',
        endpoint: 'ep-social',
        dosServiceId: '1000000001',
      },
      {
        id: 'social-south',
        name: 'South Connectors',
        categories: ['social-prescribing'],
        provider: 'Z8T101',
        endpoint: 'ep-social',
      },
      {
        id: 'nursing',
        name: 'Community Nursing',
        categories: ['community-nursing'],
        provider: 'Z8T102',
        endpoint: 'ep-community',
      },
      {
        id: 'rapid',
        name: 'Rapid Response',
        categories: ['community-nursing'],
        provider: 'Z8T102',
        endpoint: 'ep-community',
      },
      {
        id: 'young-minds',
        name: 'Young Minds',
        categories: ['mental-health'],
        provider: 'Z8T103',
        endpoint: 'ep-young',
      },
      {
        id: 'adult-minds',
        name: 'Adult Minds',
        categories: ['mental-health'],
        provider: 'Z8T103',
        endpoint: 'ep-young',
      },
      {
        id: 'care-home-team',
        name: 'Care Home Team',
        categories: ['care-home-mdt', 'enhanced-health-in-care-homes'],
        provider: 'Z8T102',
        endpoint: 'ep-community',
      },
      {
        id: 'care-home-lead',
        name: 'PCN Clinical Lead for Care Homes',
        categories: ['enhanced-health-in-care-homes'],
        provider: 'Z8T100',
        endpoint: 'ep-pcn',
      },
    ],
    careHomes: [{ odsCode: 'Z8TC01', name: 'Oak House', alignedPractice: 'Z8T001', careHomeTeam: 'care-home-team' }],
    careHomeClinicalLead: 'care-home-lead',
    routes: [
      {
        id: 'social-south',
        category: 'social-prescribing',
        service: 'social-south',
        priority: 10,
        when: { senderPractices: ['Z8T002'] },
      },
      { id: 'social', category: 'social-prescribing', service: 'social', respondWithinHours: 48 },
      {
        id: 'nursing-urgent',
        category: 'community-nursing',
        service: 'rapid',
        priority: 10,
        when: { urgency: ['urgent', 'asap'] },
      },
      { id: 'nursing', category: 'community-nursing', service: 'nursing' },
      {
        id: 'minds-young',
        category: 'mental-health',
        service: 'young-minds',
        priority: 10,
        when: { ageBand: { max: 17 } },
      },
      { id: 'minds-adult', category: 'mental-health', service: 'adult-minds', fallback: true },
    ],
    ...overrides,
  };
}

/**
 * The test network with its FHIR endpoints at a test receiver: community nursing at /community, rapid response at
 * /rapid, and the North practice's own endpoint (for answers) at /north.
 */
export function networkPushingTo(origin: string): NetworkDefinition {
  const network = testNetwork();
  network.practices[0]!.endpoint = 'ep-north';
  network.endpoints = [
    ...network.endpoints.filter((e) => e.id !== 'ep-community'),
    { id: 'ep-community', organisation: 'Z8T102', channel: 'fhir-push', address: `${origin}/community` },
    { id: 'ep-rapid', organisation: 'Z8T102', channel: 'fhir-push', address: `${origin}/rapid` },
    { id: 'ep-north', organisation: 'Z8T001', channel: 'fhir-push', address: `${origin}/north` },
  ];
  network.services.find((s) => s.id === 'rapid')!.endpoint = 'ep-rapid';
  return network;
}
