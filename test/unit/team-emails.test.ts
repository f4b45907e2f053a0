import { describe, expect, it } from 'vitest';
import type { Email } from '../../core/ports.js';
import { deliverMessage } from '../../core/services/delivery.js';
import { sendDailyDigests } from '../../core/services/team-emails.js';
import { referralMessage } from '../../local/sample-messages.js';
import { ingestAs, testDependencies } from '../support/in-memory.js';
import { testNetwork } from '../support/networks.js';

const PRACTICE = 'Z8T001';
const TEAM_MAILBOX = 'social@example.nhs.uk';
/** How long a delivery attempt holds its message (as the delivery worker's lease). */
const LEASE_SECONDS = 60;

/** A hub at a moment (UTC), whose social prescribing team asked for emails, and the emails it sent. */
async function hubAt(iso: string, wants = { urgent: true, digest: true }) {
  const sent: Email[] = [];
  const hub = {
    ...testDependencies([testNetwork()], undefined, new Date(iso)),
    mailer: { send: async (e: Email) => void sent.push(e) },
  };
  await hub.directory.setAvailability({
    serviceId: 'social',
    networkId: 'test-pcn',
    acceptingReferrals: true,
    emails: { to: TEAM_MAILBOX, ...wants },
    setBy: 'Z8T101 (team)',
    setAt: iso,
  });
  return { hub, sent };
}

/** A referral from the practice to social prescribing, delivered to the team's mailbox. */
async function referred(hub: Awaited<ReturnType<typeof hubAt>>['hub'], priority: 'routine' | 'urgent') {
  const { id } = await ingestAs(
    hub,
    referralMessage({ senderOds: PRACTICE, category: 'social-prescribing', priority }),
    PRACTICE,
  );
  await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
  return id;
}

describe("a team's morning digest: what waits for it, once a day, from 8 o'clock London time", () => {
  it('counts what waits for an answer (urgent and overdue among them), with a link and no patient', async () => {
    // Prepare: 9:00 in London in winter (GMT).
    const { hub, sent } = await hubAt('2026-12-07T09:00:00Z', { urgent: false, digest: true });
    await referred(hub, 'routine');
    await referred(hub, 'urgent');
    // Act
    const digests = await sendDailyDigests(hub);
    // Assess
    expect(digests).toBe(1);
    expect(sent).toEqual([
      {
        to: TEAM_MAILBOX,
        subject: '2 referrals waiting for Social Prescribing',
        text: expect.stringContaining('2 referrals wait for an answer from Social Prescribing: 1 urgent, 0 overdue.'),
      },
    ]);
    expect(sent[0]!.text).toContain('https://hub.example.org/app/inbox');
    expect(JSON.stringify(sent)).not.toMatch(/9000000009|Alex|Example/);
  });

  it('sends one a day, however often the sweep runs', async () => {
    const { hub, sent } = await hubAt('2026-12-07T09:00:00Z');
    expect(await sendDailyDigests(hub)).toBe(1);
    expect(await sendDailyDigests(hub)).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it("waits for 8 o'clock London time (7:30 UTC in summer is 8:30 in London)", async () => {
    expect(await sendDailyDigests((await hubAt('2026-12-07T07:59:00Z')).hub)).toBe(0);
    expect(await sendDailyDigests((await hubAt('2027-07-05T07:30:00Z')).hub)).toBe(1);
  });

  it('is not sent to a team that did not ask, nor by a hub that sends no email', async () => {
    expect(await sendDailyDigests((await hubAt('2026-12-07T09:00:00Z', { urgent: true, digest: false })).hub)).toBe(0);
    const { mailer: _none, ...silent } = (await hubAt('2026-12-07T09:00:00Z')).hub;
    expect(await sendDailyDigests(silent)).toBe(0);
  });
});

describe('an urgent referral arriving in a team inbox', () => {
  it('is emailed to the team that asked; routine work is not', async () => {
    const { hub, sent } = await hubAt('2026-12-07T09:00:00Z', { urgent: true, digest: false });
    await referred(hub, 'routine');
    expect(sent).toEqual([]);
    await referred(hub, 'urgent');
    expect(sent.map((e) => e.subject)).toEqual(['Urgent referral waiting for Social Prescribing']);
  });

  it('is still delivered when the email cannot be sent (a failure is counted and logged)', async () => {
    const { hub } = await hubAt('2026-12-07T09:00:00Z');
    const failing = { ...hub, mailer: { send: async () => Promise.reject(new Error('SES throttled')) } };
    const id = await referred(failing, 'urgent');
    expect((await hub.store.get(id))?.status).toBe('in-mailbox');
    expect(hub.metrics).toContain('TeamEmailFailed');
  });
});
