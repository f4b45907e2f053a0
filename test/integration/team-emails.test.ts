import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { LOCAL_OPS_ODS, SAMPLE_PRACTICE } from '../../local/identities.js';
import { LOCAL_OUTBOX_PATH } from '../../local/outbox.js';
import { referralMessage } from '../../local/sample-messages.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const SOCIAL_PRESCRIBING = 'Z9W101'; // provides mk-social-prescribing, a mailbox: a team without a clinical system
const SERVICE = 'mk-social-prescribing';
const SHARED_MAILBOX = 'social.prescribing@example.nhs.uk';

describe("a team's emails: told of urgent work at its shared mailbox, never who the patient is", () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: false });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const setAvailability = async (as: string, role: 'receiver' | 'ops', body: unknown) =>
    call(hub.baseUrl, 'POST', `/HealthcareService/${SERVICE}/$availability`, {
      headers: { ...(await asOrganisation(hub.baseUrl, as, role)), 'content-type': 'application/json' },
      body,
    });
  const refer = async (priority: 'routine' | 'urgent') => {
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing', priority });
    expect((await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE })).status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
  };
  const outbox = async () =>
    (await (await fetch(`${hub.baseUrl}${LOCAL_OUTBOX_PATH}`)).json()) as {
      emails: { to: string; subject: string; text: string }[];
    };

  it('checks what a team asks for', async () => {
    const bad = await setAvailability(SOCIAL_PRESCRIBING, 'receiver', {
      acceptingReferrals: true,
      emails: { to: 'not an address', urgent: 'yes' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.issue[0].expression).toEqual(['emails']);
  });

  it('emails the shared mailbox when urgent work arrives, not for routine work, and never names the patient', async () => {
    // Prepare: the team asks for urgent emails (and a morning digest).
    const set = await setAvailability(SOCIAL_PRESCRIBING, 'receiver', {
      acceptingReferrals: true,
      emails: { to: SHARED_MAILBOX, urgent: true, digest: true },
    });
    expect(set.status).toBe(200);
    // Act
    await refer('routine');
    await refer('urgent');
    // Assess: one email, for the urgent referral, with a link and no patient details.
    const { emails } = await eventually(outbox, (box) => box.emails.length > 0);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      to: SHARED_MAILBOX,
      subject: 'Urgent referral waiting for Milton Keynes Social Prescribing',
    });
    expect(emails[0]!.text).toContain(`${hub.baseUrl}/app/inbox`);
    expect(JSON.stringify(emails)).not.toMatch(/9000000009|900 000 0009|Alex|Example|1956/);
    expect(hub.metrics.get('TeamEmailed')).toBe(1);
  });

  it("keeps the team's emails when ops pause and resume its deliveries", async () => {
    await setAvailability(LOCAL_OPS_ODS, 'ops', { acceptingReferrals: true, deliveriesPaused: true });
    const resumed = await setAvailability(LOCAL_OPS_ODS, 'ops', { acceptingReferrals: true, deliveriesPaused: false });
    expect(resumed.body.emails).toEqual({ to: SHARED_MAILBOX, urgent: true, digest: true });
  });
});
