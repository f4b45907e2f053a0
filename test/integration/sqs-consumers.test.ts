import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { lambdaContext, sqsEvent } from '../../local/lambda-events.js';
import { referralMessage } from '../../local/sample-messages.js';
import { eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';
import { networkPushingTo } from '../support/networks.js';
import { TestReceiver } from '../support/receiver.js';

/** An SQS message as ReceiveMessage returns it, for building the Lambda event. */
const sqsMessage = (id: string, body: string) => ({
  MessageId: id,
  ReceiptHandle: `handle-${id}`,
  Body: body,
  Attributes: { ApproximateReceiveCount: '1' },
});
const NORTH = 'Z8T001';

describe('the SQS consumers, invoked with SQS events as the event source mapping builds them', () => {
  let hub: LocalHub;
  const receiver = new TestReceiver();
  beforeAll(async () => {
    await receiver.start();
    // A receiver that is down, and retries far apart: a pushed referral stays pending while the tests look at it.
    receiver.byDefault('/community', 503);
    hub = await startLocalHub({
      port: 0,
      receiversPort: false,
      networks: [networkPushingTo(receiver.origin)],
      policy: { baseDelaySeconds: 600, maxDelaySeconds: 600 },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await receiver.stop();
  });
  const deliver = (records: ReturnType<typeof sqsMessage>[]) =>
    hub.handlers.deliver(
      sqsEvent(records, 'arn:aws:sqs:eu-west-2:000000000000:pcn-hub-delivery'),
      lambdaContext('deliver', 60),
    );
  const deadLetter = (records: ReturnType<typeof sqsMessage>[]) =>
    hub.handlers.deadLetter(sqsEvent(records, 'arn'), lambdaContext('deadLetter', 30));

  it('report a malformed record as a failure of that record only', async () => {
    const referral = referralMessage({ senderOds: NORTH, category: 'social-prescribing' });
    expect((await sendMessage(hub.baseUrl, referral, { sender: NORTH })).status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, referral.id!, NORTH), untilStatus('in-mailbox'));
    const response = await deliver([
      sqsMessage('good', JSON.stringify({ messageId: referral.id })),
      sqsMessage('not-json', '{'),
      sqsMessage('no-id', JSON.stringify({ hello: 'world' })),
    ]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['no-id', 'not-json']);
  });

  it('treat a record for a message already delivered as done (idempotent per message)', async () => {
    const referral = referralMessage({ senderOds: NORTH, category: 'social-prescribing' });
    await sendMessage(hub.baseUrl, referral, { sender: NORTH });
    const before = await eventually(() => messageStatus(hub.baseUrl, referral.id!, NORTH), untilStatus('in-mailbox'));
    const response = await deliver([sqsMessage('again', JSON.stringify({ messageId: referral.id }))]);
    expect(response.batchItemFailures).toEqual([]);
    expect((await messageStatus(hub.baseUrl, referral.id!, NORTH)).timeline).toHaveLength(before.timeline.length);
  });

  describe('the dead-letter consumer', () => {
    it('fails a dead-lettered message visibly and tells its sender, leaving the receiver outcome unset', async () => {
      // Prepare: a referral whose delivery is pending (its receiver answers 503, retries far apart).
      const referral = referralMessage({ senderOds: NORTH, category: 'community-nursing' });
      await sendMessage(hub.baseUrl, referral, { sender: NORTH });
      await eventually(() => messageStatus(hub.baseUrl, referral.id!, NORTH), untilStatus('retrying'));
      // Act
      const response = await deadLetter([sqsMessage('dlq-1', JSON.stringify({ messageId: referral.id }))]);
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      const record = await messageStatus(hub.baseUrl, referral.id!, NORTH);
      expect(record.status).toBe('failed');
      expect(record.outcome).toBeUndefined();
      expect(record.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['failed', 'sender-notified']));
    });

    it('drops a record that names no message instead of retrying it forever', async () => {
      const response = await deadLetter([sqsMessage('dlq-2', 'garbage')]);
      expect(response.batchItemFailures).toEqual([]);
    });
  });
});
