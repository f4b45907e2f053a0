import { describe, expect, it } from 'vitest';
import { HubError } from '../../core/errors.js';
import type { NetworkDefinition, RouteDefinition } from '../../core/routing/network.js';
import { compileNetwork, type RoutingContext, resolveRoute } from '../../core/routing/resolve.js';
import { ageInYears, postcodeDistrict } from '../../core/routing/routing-context.js';
import { testNetwork } from '../support/networks.js';

const AT = new Date('2026-11-23T10:00:00Z');
const context = (overrides: Partial<RoutingContext> = {}): RoutingContext => ({
  senderPractice: 'Z8T001',
  category: 'social-prescribing',
  at: AT,
  ...overrides,
});
const resolve = (overrides: Partial<RoutingContext> = {}, network: NetworkDefinition = testNetwork()) =>
  resolveRoute(compileNetwork(network), context(overrides));
const withRoutes = (routes: RouteDefinition[], extra: Partial<NetworkDefinition> = {}) =>
  testNetwork({ routes, ...extra });

/** The refusal routing answers with: 422 (no route, unavailable...), 404 (unknown target) or not supported. */
function refusedWith(fn: () => unknown): HubError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HubError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('routing a referral to a service', () => {
  it('chooses the service for the requested category and says which rule chose it', () => {
    const decision = resolve();
    expect(decision.service.id).toBe('social');
    expect(decision.ruleId).toBe('social');
    expect(decision.endpoint.channel).toBe('mailbox');
    expect(decision.provider.odsCode).toBe('Z8T101');
  });

  it('matches on the sending practice', () => {
    expect(resolve({ senderPractice: 'Z8T002' }).service.id).toBe('social-south');
  });

  it('matches on urgency', () => {
    expect(resolve({ category: 'community-nursing', urgency: 'urgent' }).service.id).toBe('rapid');
    expect(resolve({ category: 'community-nursing', urgency: 'routine' }).service.id).toBe('nursing');
    expect(resolve({ category: 'community-nursing' }).service.id).toBe('nursing');
  });

  it('matches on age band, with a fallback rule for everyone else', () => {
    expect(resolve({ category: 'mental-health', ageYears: 15 }).service.id).toBe('young-minds');
    const adult = resolve({ category: 'mental-health', ageYears: 40 });
    expect(adult.service.id).toBe('adult-minds');
    expect(adult.explanation.join('\n')).toContain("rule 'minds-young' skipped: patient is over 17");
  });

  it("matches on the patient's postcode district", () => {
    const network = withRoutes([
      {
        id: 'rural',
        category: 'social-prescribing',
        service: 'social-south',
        priority: 5,
        when: { postcodeDistricts: ['MK19'] },
      },
      { id: 'town', category: 'social-prescribing', service: 'social' },
    ]);
    expect(resolve({ postcodeDistrict: 'MK19' }, network).service.id).toBe('social-south');
    expect(resolve({ postcodeDistrict: 'MK5' }, network).service.id).toBe('social');
  });

  it("matches on the patient's registered practice, defaulting to the sender", () => {
    const network = withRoutes([
      {
        id: 'south-patients',
        category: 'social-prescribing',
        service: 'social-south',
        priority: 5,
        when: { registeredPractices: ['Z8T002'] },
      },
      { id: 'others', category: 'social-prescribing', service: 'social' },
    ]);
    expect(resolve({ registeredPractice: 'Z8T002' }, network).service.id).toBe('social-south');
    expect(resolve({ senderPractice: 'Z8T002' }, network).service.id).toBe('social-south');
    expect(resolve({}, network).service.id).toBe('social');
  });

  it('prefers the higher priority when several rules match', () => {
    const network = withRoutes([
      { id: 'low', category: 'social-prescribing', service: 'social', priority: 1 },
      { id: 'high', category: 'social-prescribing', service: 'social-south', priority: 9 },
    ]);
    expect(resolve({}, network).ruleId).toBe('high');
  });

  it('honours effective dates', () => {
    const network = withRoutes([
      {
        id: 'future',
        category: 'social-prescribing',
        service: 'social-south',
        priority: 9,
        effectiveFrom: '2027-01-01',
      },
      { id: 'ended', category: 'social-prescribing', service: 'social-south', priority: 8, effectiveTo: '2026-11-22' },
      {
        id: 'current',
        category: 'social-prescribing',
        service: 'social',
        effectiveFrom: '2026-11-23',
        effectiveTo: '2026-11-23',
      },
    ]);
    const decision = resolve({}, network);
    expect(decision.ruleId).toBe('current');
    expect(decision.explanation).toEqual(
      expect.arrayContaining([
        "rule 'future' skipped: not effective until 2027-01-01",
        "rule 'ended' skipped: ended 2026-11-22",
      ]),
    );
  });

  it("sends a care-home resident's care to the home's care-home team", () => {
    const network = withRoutes([]);
    const decision = resolve({ category: 'care-home-mdt', careHome: 'Z8TC01' }, network);
    expect(decision.service.id).toBe('care-home-team');
    expect(decision.ruleId).toBe('care-home:Z8TC01');
  });

  it('lets a rule target care-home residents explicitly', () => {
    const network = withRoutes([
      {
        id: 'residents',
        category: 'community-nursing',
        service: 'rapid',
        priority: 5,
        when: { careHomeResident: true },
      },
      { id: 'everyone', category: 'community-nursing', service: 'nursing' },
    ]);
    expect(resolve({ category: 'community-nursing', careHome: 'Z8TC01' }, network).service.id).toBe('rapid');
    expect(resolve({ category: 'community-nursing' }, network).service.id).toBe('nursing');
  });

  it('diverts from a paused service to its fallback, and says so', () => {
    const network = testNetwork();
    network.services.find((s) => s.id === 'social')!.paused = true;
    network.services.find((s) => s.id === 'social')!.fallback = 'social-south';
    const decision = resolve({}, network);
    expect(decision.service.id).toBe('social-south');
    expect(decision.divertedFrom).toBe('social');
  });

  it('refuses when a paused service has nowhere to divert', () => {
    const network = testNetwork();
    const social = network.services.find((s) => s.id === 'social')!;
    social.paused = true;
    social.fallback = 'social-south';
    network.services.find((s) => s.id === 'social-south')!.paused = true;
    network.services.find((s) => s.id === 'social-south')!.fallback = 'social';
    expect(refusedWith(() => resolve({ senderPractice: 'Z8T001' }, network)).issues[0]!.diagnostics).toContain(
      'paused',
    );
  });

  it('honours an explicit target the network allows (by DoS id)', () => {
    const decision = resolve({
      senderPractice: 'Z8T002',
      explicitTarget: { system: 'https://fhir.nhs.uk/Id/dos-service-id', value: '1000000001' },
    });
    expect(decision.service.id).toBe('social');
    expect(decision.ruleId).toBe('explicit-target');
  });

  it("refuses an explicit target the network does not list as BaRS's unknown target (404 PROXY_NOT_FOUND), naming it", () => {
    const error = refusedWith(() =>
      resolve({ explicitTarget: { system: 'https://fhir.nhs.uk/Id/dos-service-id', value: '999' } }),
    );
    expect(error.status).toBe(404);
    expect(error.barsCode).toBe('PROXY_NOT_FOUND');
    expect(error.issues[0]!.diagnostics).toContain(
      'https://fhir.nhs.uk/Id/dos-service-id|999 does not exist in the endpoint catalogue of Test PCN',
    );
  });

  it('refuses an explicit target that does not offer the category asked for', () => {
    expect(
      refusedWith(() => resolve({ category: 'community-nursing', explicitTarget: { system: 'x', value: 'social' } }))
        .issues[0]!.diagnostics,
    ).toContain('does not provide');
  });

  it('says which category was not available for which practice when nothing matches', () => {
    const error = refusedWith(() => resolve({ category: 'first-contact-physiotherapy' }));
    expect(error.issues[0]!.diagnostics).toBe(
      "Service category 'first-contact-physiotherapy' is not available for practice Z8T001 in Test PCN: the network has no route for it",
    );
    expect(error.issues[0]!.expression).toBe('ServiceRequest.category');
  });
});

describe('routing context from the message', () => {
  it.each([
    ['MK5 6LT', 'MK5'],
    ['mk19 7aa', 'MK19'],
    ['CV313AA', 'CV31'],
    ['SW1A 1AA', 'SW1A'],
    ['AB', undefined],
  ])('postcode %s is in district %s', (postcode, district) => {
    expect(postcodeDistrict(postcode)).toBe(district);
  });

  it('counts age in whole years on the decision date', () => {
    expect(ageInYears('2008-11-24', AT)).toBe(17);
    expect(ageInYears('2008-11-23', AT)).toBe(18);
    expect(ageInYears('1956', AT)).toBe(70);
  });
});
