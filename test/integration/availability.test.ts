import type { HealthcareService } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { LOCAL_OPS_ODS, SAMPLE_PRACTICE } from '../../local/identities.js';
import { referralMessage } from '../../local/sample-messages.js';
import { asOrganisation, call, messageStatus, sendMessage } from '../support/http.js';

const SOCIAL_PRESCRIBING = 'Z9W101'; // provides mk-social-prescribing, whose fallback is stony-community-connectors
const SERVICE = 'mk-social-prescribing';
const FALLBACK = 'stony-community-connectors';

describe("a receiving team's say over its intake: not accepting, or a weekly capacity", () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: false });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const setAvailability = async (as: string, body: unknown) =>
    call(hub.baseUrl, 'POST', `/HealthcareService/${SERVICE}/$availability`, {
      headers: { ...(await asOrganisation(hub.baseUrl, as, 'receiver')), 'content-type': 'application/json' },
      body,
    });
  /** A new social prescribing referral from Hilltops: where it went and why. */
  const refer = async () => {
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    const answer = await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE });
    expect(answer.status).toBe(202);
    const record = await messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE);
    return { said: answer.body.issue[0].diagnostics as string, record };
  };

  it('lets only the providing organisation say, and checks what it says', async () => {
    expect((await setAvailability('Z9W104', { acceptingReferrals: false })).status).toBe(404);
    const bad = await setAvailability(SOCIAL_PRESCRIBING, { acceptingReferrals: 'no', weeklyCapacity: -1 });
    expect(bad.status).toBe(422);
    expect(bad.body.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual([
      'acceptingReferrals',
      'weeklyCapacity',
    ]);
  });

  it('diverts new referrals to the fallback while the team is not accepting, and the practice sees why', async () => {
    // Act: the team is not accepting until a date in the future.
    const set = await setAvailability(SOCIAL_PRESCRIBING, { acceptingReferrals: false, returnDate: '2099-01-04' });
    expect(set.body).toMatchObject({
      acceptingReferrals: false,
      returnDate: '2099-01-04',
      setBy: expect.stringContaining(SOCIAL_PRESCRIBING),
    });
    const { said, record } = await refer();
    // Assess: the practice's answer says where it went instead, and why.
    expect(said).toContain(`instead of ${SERVICE}, which is not accepting referrals until 4 January 2099`);
    expect(record.destination.serviceId).toBe(FALLBACK);
    expect(record.route?.divertedFrom).toBe(SERVICE);
    expect(record.timeline.find((e) => e.type === 'routed')?.detail).toContain(
      `diverted from ${SERVICE} (not accepting referrals until 4 January 2099)`,
    );
    const service = (
      await call<HealthcareService>(hub.baseUrl, 'GET', `/HealthcareService/${SERVICE}`, {
        headers: await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE),
      })
    ).body;
    expect(service).toMatchObject({
      active: false,
      availabilityExceptions: 'Not accepting referrals until 4 January 2099',
    });
  });

  it('takes its weekly number, then diverts the rest of the week', async () => {
    // Prepare: accepting again, one referral a week (this test's first referral is the week's first for it).
    await setAvailability(SOCIAL_PRESCRIBING, { acceptingReferrals: true, weeklyCapacity: 1 });
    const first = await refer();
    const second = await refer();
    expect(first.record.destination.serviceId).toBe(SERVICE);
    expect(second.record.destination.serviceId).toBe(FALLBACK);
    expect(second.record.timeline.find((e) => e.type === 'routed')?.detail).toContain('(full this week)');
    // And back to normal when the team says so.
    await setAvailability(SOCIAL_PRESCRIBING, { acceptingReferrals: true });
    expect((await refer()).record.destination.serviceId).toBe(SERVICE);
  });

  it('is what ops see when they ask where a referral would go, and why', async () => {
    const explain = async (query: string) =>
      call(hub.baseUrl, 'GET', `/routing/$explain?${query}`, {
        headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
      });
    const open = await explain(`practice=${SAMPLE_PRACTICE}&category=social-prescribing&postcode=MK4%202AB`);
    expect(open.body).toMatchObject({ network: 'Watling Street PCN', service: { id: SERVICE } });
    expect(open.body.explanation.length).toBeGreaterThan(0);
    await setAvailability(SOCIAL_PRESCRIBING, { acceptingReferrals: false });
    const closed = await explain(`practice=${SAMPLE_PRACTICE}&category=social-prescribing`);
    expect(closed.body).toMatchObject({
      service: { id: FALLBACK },
      divertedFrom: SERVICE,
      divertedBecause: 'not accepting referrals',
    });
    await setAvailability(SOCIAL_PRESCRIBING, { acceptingReferrals: true });
    expect((await explain(`practice=${SAMPLE_PRACTICE}&category=no-such-thing`)).status).toBe(422);
  });
});
