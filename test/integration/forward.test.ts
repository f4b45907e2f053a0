import type { Bundle } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { referralMessage, responseMessage } from '../../local/sample-messages.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const SOCIAL_PRESCRIBING = 'Z9W101';
const ADULT_SOCIAL_CARE = 'Z9W104'; // service mk-adult-social-care, a mailbox

describe('a receiver passes a misrouted referral on to another service of the network', () => {
  let hub: LocalHub;
  let referral: ReturnType<typeof referralMessage>;
  let correlationId: string;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: false });
    referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    const sent = await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE });
    correlationId = sent.headers.get('x-correlation-id')!;
    await eventually(() => messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const forward = async (as: string, body: unknown) =>
    call<MessageRecord>(hub.baseUrl, 'POST', `/messages/${referral.id}/$forward`, {
      headers: { ...(await asOrganisation(hub.baseUrl, as, 'receiver')), 'content-type': 'application/json' },
      body,
    });

  it('refuses a forward without a reason, from another organisation, or to an unknown service', async () => {
    expect((await forward(SOCIAL_PRESCRIBING, { service: 'mk-adult-social-care' })).status).toBe(422);
    expect((await forward(ADULT_SOCIAL_CARE, { service: 'mk-adult-social-care', reason: 'x' })).status).toBe(404);
    expect((await forward(SOCIAL_PRESCRIBING, { service: 'no-such-service', reason: 'x' })).status).toBe(422);
  });

  it('sends it on as a new message of the same case, marks the original, and tells the practice why', async () => {
    // Act
    const answer = await forward(SOCIAL_PRESCRIBING, {
      service: 'mk-adult-social-care',
      reason: 'Needs a care assessment, not social prescribing',
    });
    // Assess: the original is forwarded (final), out of the first team's mailbox, its timeline naming the hand-over.
    expect(answer.status).toBe(202);
    expect(answer.body.outcome).toBe('forwarded');
    const handOver = answer.body.timeline.find((e) => e.type === 'forwarded')!;
    expect(handOver.detail).toContain('Needs a care assessment');
    const forwardedId = handOver.relatedMessageId!;
    const firstMailbox = await call(hub.baseUrl, 'GET', '/mailbox', {
      headers: await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING),
    });
    expect(firstMailbox.body.messages.map((m: { messageId: string }) => m.messageId)).not.toContain(referral.id);
    // The new message reaches adult social care, with its own id, in the same case.
    const moved = await eventually(
      () => messageStatus(hub.baseUrl, forwardedId, SAMPLE_PRACTICE),
      untilStatus('in-mailbox'),
    );
    expect(moved).toMatchObject({ correlationId, destination: { organisation: ADULT_SOCIAL_CARE } });
    const headers = await asOrganisation(hub.baseUrl, ADULT_SOCIAL_CARE);
    const bundle = (await call<Bundle>(hub.baseUrl, 'GET', `/mailbox/${forwardedId}`, { headers })).body;
    expect(bundle.id).toBe(forwardedId);
    // The practice is told where it went and why.
    const original = await messageStatus(hub.baseUrl, referral.id!, SAMPLE_PRACTICE);
    expect(original.timeline.find((e) => e.type === 'sender-notified')?.detail).toContain('passed this referral on');
    // The new receiver answers the new message; the first receiver can no longer answer the original.
    const accepted = responseMessage({ receiverOds: ADULT_SOCIAL_CARE, originalMessageId: forwardedId });
    expect((await sendMessage(hub.baseUrl, accepted, { sender: ADULT_SOCIAL_CARE, correlationId })).status).toBe(202);
    const late = responseMessage({ receiverOds: SOCIAL_PRESCRIBING, originalMessageId: referral.id! });
    expect((await sendMessage(hub.baseUrl, late, { sender: SOCIAL_PRESCRIBING, correlationId })).status).toBe(409);
    // Doing it again changes nothing.
    expect((await forward(SOCIAL_PRESCRIBING, { service: 'mk-adult-social-care', reason: 'again' })).status).toBe(202);
    expect((await messageStatus(hub.baseUrl, forwardedId, SAMPLE_PRACTICE)).outcome).toBe('accepted');
  });
});
