import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { referralMessage, responseMessage } from '../../local/sample-messages.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const SOCIAL_PRESCRIBING = 'Z9W101';

describe("ops' corrections: many replays at once, a re-send of what a receiver lost, a withdrawal", () => {
  let hub: LocalHub;
  const failed: string[] = [];
  const cases = new Map<string, string>();

  const send = async (category: string) => {
    const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category });
    const sent = await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE });
    expect(sent.status).toBe(202);
    cases.set(referral.id!, sent.headers.get('x-correlation-id')!);
    return referral.id!;
  };
  const asOps = async (method: string, path: string, body?: unknown) =>
    call<MessageRecord & { results: { messageId: string; status?: string; problem?: string }[] }>(
      hub.baseUrl,
      method,
      path,
      {
        headers: { ...(await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops')), 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      },
    );
  const status = (id: string) => messageStatus(hub.baseUrl, id, SAMPLE_PRACTICE);

  beforeAll(async () => {
    // Prepare: the wellbeing line's endpoint is down (no simulated receivers), so two referrals to it fail.
    hub = await startLocalHub({
      port: 0,
      receiversPort: false,
      policy: { maxAttempts: 1, baseDelaySeconds: 1, maxDelaySeconds: 1 },
    });
    for (let i = 0; i < 2; i++) failed.push(await send('voluntary-sector'));
    for (const id of failed) await eventually(() => status(id), untilStatus('failed'));
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('replays every message that failed for a service since a time, to another service, and says what became of each', async () => {
    // Act
    const since = new Date(Date.now() - 600_000).toISOString();
    const answer = await asOps('POST', '/messages/$replay', {
      failedTo: 'mk-wellbeing-line',
      since,
      service: 'mk-social-prescribing',
    });
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r) => r.messageId).sort()).toEqual([...failed].sort());
    expect(answer.body.results.every((r) => r.status && !r.problem)).toBe(true);
    for (const id of failed) {
      const moved = await eventually(() => status(id), untilStatus('in-mailbox'));
      expect(moved.destination.serviceId).toBe('mk-social-prescribing');
      expect(moved.timeline.some((e) => e.type === 'replayed')).toBe(true);
    }
    // The failures stay with the service that failed: the one they were replayed to is healthy, and raises no alert.
    const health = await call<{ receivers: { serviceId: string; inTrouble: boolean; consecutiveFailures: number }[] }>(
      hub.baseUrl,
      'GET',
      '/receivers/$health',
      { headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops') },
    );
    expect(health.body.receivers.find((r) => r.serviceId === 'mk-social-prescribing')).toMatchObject({
      inTrouble: false,
      consecutiveFailures: 0,
    });
    const alerts = await call<{ alerts: { kind: string; serviceId?: string }[] }>(hub.baseUrl, 'GET', '/ops/alerts', {
      headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops'),
    });
    expect(alerts.body.alerts.filter((a) => a.serviceId === 'mk-social-prescribing')).toEqual([]);
    // A selection replays only failed messages: the others say why not.
    const again = await asOps('POST', '/messages/$replay', { messages: [failed[0]] });
    expect(again.body.results).toMatchObject([
      { messageId: failed[0], problem: expect.stringContaining('only failed') },
    ]);
  });

  it('re-sends a collected message its receiver says it lost, with the reason on the timeline', async () => {
    // Prepare: the receiver collected and acknowledged it.
    const id = failed[0]!;
    const receiver = await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING);
    expect((await call(hub.baseUrl, 'POST', `/mailbox/${id}/$acknowledge`, { headers: receiver })).status).toBe(200);
    await eventually(() => status(id), untilStatus('acknowledged'));
    // Act
    expect((await asOps('POST', `/messages/${id}/$resend`, {})).status).toBe(422);
    const resent = await asOps('POST', `/messages/${id}/$resend`, { reason: 'Lost in their system upgrade' });
    // Assess: delivered again, as the same message.
    expect(resent.status).toBe(202);
    const again = await eventually(() => status(id), untilStatus('in-mailbox'));
    expect(again.timeline.find((e) => e.type === 'resent')?.detail).toContain('Lost in their system upgrade');
    const mailbox = await call(hub.baseUrl, 'GET', '/mailbox', { headers: receiver });
    expect(mailbox.body.messages.map((m: { messageId: string }) => m.messageId)).toContain(id);
    // Only a delivered or collected message is re-sent.
    const waiting = await asOps('POST', `/messages/${id}/$resend`, { reason: 'again' });
    expect(waiting.status).toBe(409);
  });

  it('withdraws a referral: out of the mailbox, no answer taken after, and its sender and receiver told', async () => {
    const id = failed[1]!;
    // Act
    const withdrawn = await asOps('POST', `/messages/${id}/$withdraw`, { reason: 'Sent for the wrong patient' });
    // Assess
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', outcome: 'withdrawn' });
    const record = await status(id);
    expect(record.timeline.find((e) => e.type === 'withdrawn')?.detail).toContain('Sent for the wrong patient');
    expect(record.timeline.filter((e) => e.type === 'sender-notified').at(-1)?.detail).toContain('withdrawn');
    const receiver = await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING);
    const mailbox = (await call(hub.baseUrl, 'GET', '/mailbox', { headers: receiver })).body
      .messages as MessageRecord[];
    expect(mailbox.map((m) => m.messageId)).not.toContain(id);
    // The receiver is told, in its mailbox, by a notice about the referral.
    await eventually(
      async () => (await call(hub.baseUrl, 'GET', '/mailbox', { headers: receiver })).body.messages as MessageRecord[],
      (messages) => messages.some((m) => m.inReplyTo === id && m.kind === 'notification'),
    );
    // No answer is taken after, and it is not withdrawn twice.
    const late = responseMessage({ receiverOds: SOCIAL_PRESCRIBING, originalMessageId: id });
    const answered = await sendMessage(hub.baseUrl, late, {
      sender: SOCIAL_PRESCRIBING,
      correlationId: cases.get(id)!,
    });
    expect(answered.status).toBe(409);
    expect((await asOps('POST', `/messages/${id}/$withdraw`, { reason: 'again' })).status).toBe(409);
  });

  it("shows ops the patient's details only when asked, and records each showing on the timeline", async () => {
    const id = failed[0]!;
    // The message as its practice sent it, with the patient reduced to an id: nothing to record.
    const content = await call<{
      headers: Record<string, string>;
      bundle: { entry: { resource: Record<string, unknown> }[] };
    }>(hub.baseUrl, 'GET', `/messages/${id}/$content`, {
      headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops'),
    });
    expect(content.status).toBe(200);
    expect(content.body.headers['X-Correlation-Id']).toBe(cases.get(id));
    const resources = content.body.bundle.entry.map((e) => e.resource);
    expect(resources.map((r) => r.resourceType)).toEqual(expect.arrayContaining(['MessageHeader', 'ServiceRequest']));
    const patientShown = resources.find((r) => r.resourceType === 'Patient')!;
    expect(Object.keys(patientShown).sort()).toEqual(expect.arrayContaining(['meta', 'resourceType']));
    expect(JSON.stringify(content.body)).not.toMatch(/9000000009|Example|1956-03-14|MK4 2AB/);
    expect((await status(id)).timeline.some((e) => e.detail?.includes('shown to'))).toBe(false);
    const patient = await asOps('GET', `/messages/${id}/$patient`);
    expect(patient.status).toBe(200);
    expect(patient.body).toMatchObject({ resourceType: 'Patient' });
    const shown = (await status(id)).timeline.filter((e) => e.type === 'fetched' && e.detail?.includes('shown to'));
    expect(shown).toHaveLength(1);
    expect(shown[0]!.detail).toContain('(ops)');
  });
});
