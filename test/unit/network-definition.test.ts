import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../core/fhir/systems.js';
import { checkNetworkDefinition } from '../../core/routing/network.js';
import { HUB_CATEGORIES } from '../../core/routing/routing-context.js';
import { hubConformance } from '../../core/validation/conformance.js';
import { networkFiles, readNetworkDefinitions, SAMPLE_NETWORKS_DIR } from '../../local/network-files.js';
import { testNetwork } from '../support/networks.js';

const NATIONAL_SPECIFICATIONS = hubConformance.codeSystems
  .get(SYSTEMS.hubServiceCategory)!
  .concept!.filter((c) => c.property?.some((p) => p.code === 'kind' && p.valueCode === 'national'))
  .map((c) => c.code);
const PARTNER_KINDS = [
  'community-services',
  'mental-health',
  'social-care',
  'community-pharmacy',
  'hospital',
  'voluntary-sector',
];

const problems = (definition: unknown) => checkNetworkDefinition(definition, HUB_CATEGORIES);

describe('the sample networks', () => {
  const samples = readNetworkDefinitions(networkFiles([SAMPLE_NETWORKS_DIR]));

  it('are Watling Street (4 practices), Leamington (8) and a Harrow PCN, all valid', () => {
    expect(samples.map((n) => [n.name, n.practices.length])).toEqual([
      ['Harrow Central PCN (sample)', 3],
      ['Leamington PCN', 8],
      ['Watling Street PCN', 4],
    ]);
  });

  it("name Watling Street's four practices from our sources", () => {
    const watling = samples.find((n) => n.id === 'watling-street-pcn')!;
    expect(watling.practices.map((p) => p.name)).toEqual([
      'Hilltops Medical Centre',
      'Stony Medical Centre',
      'Watling Vale Medical Centre',
      'Whitehouse Health Centre',
    ]);
  });

  it.each(['watling-street-pcn', 'leamington-pcn', 'harrow-central-pcn'])(
    '%s has a destination of every partner kind and a route for each of the seven national specifications',
    (id) => {
      const network = samples.find((n) => n.id === id)!;
      expect(NATIONAL_SPECIFICATIONS).toHaveLength(7);
      for (const kind of PARTNER_KINDS) expect(network.organisations.map((o) => o.kind)).toContain(kind);
      for (const spec of NATIONAL_SPECIFICATIONS) expect(network.routes.map((r) => r.category)).toContain(spec);
    },
  );

  it('mark their invented ODS codes as samples', () => {
    for (const network of samples) {
      expect(network.sample).toBe(true);
      for (const o of [...network.practices, ...network.organisations]) expect(o.odsCode).toMatch(/^Z9/);
    }
  });
});

describe('checking a network definition', () => {
  it('accepts a correct definition', () => {
    expect(problems(testNetwork())).toEqual([]);
  });

  it('refuses what is not an object', () => {
    expect(problems([])).toEqual([{ path: '$', message: 'a network definition must be a JSON object' }]);
  });

  it('reports every problem with its JSON path', () => {
    const network = testNetwork();
    network.services[0]!.categories = ['dentistry'];
    network.services[1]!.endpoint = 'ep-nowhere';
    network.routes[1]!.service = 'no-such-service';
    network.endpoints[1]!.address = 'not a url';
    network.practices.push({ odsCode: 'Z8T001', name: 'Duplicate' });
    network.routes[0]!.when = { postcodeDistricts: ['not a district'], urgency: ['soon' as never] };
    expect(problems(network)).toEqual(
      expect.arrayContaining([
        {
          path: '$.services[0].categories[0]',
          message: "'dentistry' is not a code of the pcn-service-category CodeSystem",
        },
        { path: '$.services[1].endpoint', message: "names unknown endpoint 'ep-nowhere'" },
        { path: '$.routes[1].service', message: "names unknown service 'no-such-service'" },
        { path: '$.endpoints[1].address', message: 'a fhir-push endpoint needs an http(s) FHIR base URL' },
        { path: '$.practices[2].odsCode', message: "duplicate 'Z8T001'" },
        {
          path: '$.routes[0].when.postcodeDistricts[0]',
          message: "'not a district' is not a postcode district (e.g. MK5)",
        },
        { path: '$.routes[0].when.urgency[0]', message: 'must be one of routine, urgent, asap, stat' },
      ]),
    );
  });

  it('checks the file against its JSON Schema (core/routing/network-definition.schema.json)', () => {
    const network = testNetwork() as unknown as Record<string, any>;
    network.practices[0].name = '';
    network.organisations[0].kind = 'shop';
    network.endpoints[0].address = 'https://mailboxes.example.org';
    network.routes[0].priority = 1.5;
    network.routes[0].when = { ageBand: { min: -1 } };
    expect(problems(network)).toEqual(
      expect.arrayContaining([
        { path: '$.practices[0].name', message: 'is required' },
        {
          path: '$.organisations[0].kind',
          message:
            'must be one of gp-practice, pcn, community-services, mental-health, social-care, community-pharmacy, hospital, voluntary-sector, care-home',
        },
        { path: '$.endpoints[0]', message: 'a mailbox endpoint has no address' },
        { path: '$.routes[0].priority', message: 'must be integer' },
        { path: '$.routes[0].when.ageBand.min', message: 'must be >= 0' },
      ]),
    );
  });

  it('names a missing section without failing on what depends on it', () => {
    const { routes: _routes, ...withoutRoutes } = testNetwork();
    expect(problems(withoutRoutes)).toEqual([{ path: '$.routes', message: 'is required' }]);
  });

  it('refuses a route to a service that does not offer its category', () => {
    const network = testNetwork();
    network.routes[0]!.category = 'community-nursing';
    expect(problems(network)).toContainEqual({
      path: '$.routes[0].service',
      message: "service 'social-south' does not offer 'community-nursing'",
    });
  });

  it('refuses a paused service without a fallback', () => {
    const network = testNetwork();
    network.services[0]!.paused = true;
    expect(problems(network)).toContainEqual({
      path: '$.services[0].paused',
      message: 'a paused service needs a fallback to divert to',
    });
  });

  it('refuses unknown properties (a typo must not silently drop a setting)', () => {
    expect(problems({ ...testNetwork(), rotues: [] })).toContainEqual({
      path: '$.rotues',
      message: 'unknown property',
    });
  });
});

describe('care homes in the network definitions', () => {
  const samples = readNetworkDefinitions(networkFiles([SAMPLE_NETWORKS_DIR]));

  it('align two sample homes to Watling Street PCN and one to Leamington, each with a clinical lead', () => {
    const homes = (id: string) => samples.find((n) => n.id === id)!.careHomes!.map((h) => h.odsCode);
    expect(homes('watling-street-pcn')).toHaveLength(2);
    expect(homes('leamington-pcn')).toHaveLength(1);
    for (const id of ['watling-street-pcn', 'leamington-pcn']) {
      const network = samples.find((n) => n.id === id)!;
      expect(network.services.map((s) => s.id)).toContain(network.careHomeClinicalLead);
    }
  });

  it('refuse a home aligned to a practice outside its PCN', () => {
    const network = testNetwork();
    network.careHomes![0]!.alignedPractice = 'Z9W001';
    expect(problems(network)).toContainEqual({
      path: '$.careHomes[0].alignedPractice',
      message: "names 'Z9W001', not a practice of this network",
    });
  });

  it('refuse a clinical lead that is not a service of the network', () => {
    expect(problems({ ...testNetwork(), careHomeClinicalLead: 'nobody' })).toContainEqual({
      path: '$.careHomeClinicalLead',
      message: "names unknown service 'nobody'",
    });
  });

  it('refuse a home aligned to two PCNs, naming the file and the other PCN', () => {
    // Prepare: the test network, and a second network claiming its care home.
    const dir = mkdtempSync(join(tmpdir(), 'networks-'));
    const other = testNetwork({ id: 'other-pcn', name: 'Other PCN', odsCode: 'Z8U000' });
    other.practices = other.practices.map((p) => ({ ...p, odsCode: p.odsCode.replace('Z8T', 'Z8U') }));
    other.careHomes = [{ ...other.careHomes![0]!, alignedPractice: 'Z8U001' }];
    other.routes = other.routes.filter((r) => !r.when?.senderPractices);
    writeFileSync(join(dir, 'a.json'), JSON.stringify(testNetwork()));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(other));
    // Act and assess
    expect(() => readNetworkDefinitions(networkFiles([dir]))).toThrow(
      /b\.json[\s\S]*care home Z8TC01 is already aligned to test-pcn: a care home is aligned to one PCN/,
    );
  });
});
