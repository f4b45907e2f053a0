import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { lambdaContext, sqsEvent } from '../../local/lambda-events.js';
import { referralMessage } from '../../local/messages.js';
import { eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

/** An SQS message as ReceiveMessage returns it, for building the Lambda event. */
const sqsMessage = (id: string, body: string) => ({
  MessageId: id,
  ReceiptHandle: `handle-${id}`,
  Body: body,
  Attributes: { ApproximateReceiveCount: '1' },
});

describe('the SQS consumers, invoked with SQS events as the event source mapping builds them', () => {
  let hub: LocalHub;
  let deliver: (
    event: ReturnType<typeof sqsEvent>,
    context: ReturnType<typeof lambdaContext>,
  ) => Promise<SQSBatchResponse>;
  let deadLetter: typeof deliver;
  beforeAll(async () => {
    // One hub per process (handlers read their configuration once); retries far apart keep a failing push pending.
    hub = await startLocalHub({ port: 0, receiversPort: false, env: { DELIVERY_BASE_DELAY_SECONDS: '600' } });
    deliver = (await import('../../functions/deliver/handler.js')).handler as never;
    deadLetter = (await import('../../functions/dead-letter/handler.js')).handler as never;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('report a malformed record as a failure of that record only', async () => {
    const referral = referralMessage();
    expect((await sendMessage(hub.baseUrl, referral)).status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, referral.id!, 'Z9W001'), untilStatus('in-mailbox'));
    const event = sqsEvent(
      [
        sqsMessage('good', JSON.stringify({ messageId: referral.id })),
        sqsMessage('not-json', '{'),
        sqsMessage('no-id', JSON.stringify({ hello: 'world' })),
      ],
      'arn:aws:sqs:eu-west-2:000000000000:pcn-hub-delivery',
    );
    const response = await deliver(event, lambdaContext('deliver', 60));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['no-id', 'not-json']);
  });

  it('treat a record for a message already delivered as done (idempotent per message)', async () => {
    const referral = referralMessage();
    await sendMessage(hub.baseUrl, referral);
    const before = await eventually(
      () => messageStatus(hub.baseUrl, referral.id!, 'Z9W001'),
      untilStatus('in-mailbox'),
    );
    const response = await deliver(
      sqsEvent([sqsMessage('again', JSON.stringify({ messageId: referral.id }))], 'arn'),
      lambdaContext('deliver', 60),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect((await messageStatus(hub.baseUrl, referral.id!, 'Z9W001')).timeline).toHaveLength(before.timeline.length);
  });

  describe('the dead-letter consumer', () => {
    it('fails a dead-lettered message visibly and tells its sender', async () => {
      // Prepare: a referral whose delivery is pending (its receiver is unreachable, retries far apart).
      const referral = referralMessage({ category: 'community-nursing' }); // pushed to a simulated receiver that is not running
      await sendMessage(hub.baseUrl, referral);
      await eventually(() => messageStatus(hub.baseUrl, referral.id!, 'Z9W001'), untilStatus('retrying'));
      // Act
      const response = await deadLetter(
        sqsEvent([sqsMessage('dlq-1', JSON.stringify({ messageId: referral.id }))], 'arn'),
        lambdaContext('deadLetter', 30),
      );
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      const record = await messageStatus(hub.baseUrl, referral.id!, 'Z9W001');
      expect(record).toMatchObject({ status: 'failed', outcome: 'failed' });
      expect(record.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['failed', 'sender-notified']));
    });

    it('drops a record that names no message instead of retrying it forever', async () => {
      const response = await deadLetter(
        sqsEvent([sqsMessage('dlq-2', 'garbage')], 'arn'),
        lambdaContext('deadLetter', 30),
      );
      expect(response.batchItemFailures).toEqual([]);
    });
  });
});
