import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIR_JSON } from '../../core/fhir/systems.js';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { lambdaContext, sqsEvent } from '../../local/lambda-events.js';
import { careHomeTaskMessage, referralMessage, responseMessage } from '../../local/sample-messages.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';
import { networkPushingTo } from '../support/networks.js';
import { HANG, TestReceiver } from '../support/receiver.js';

/** Delivery policy for these tests: 3 attempts, a second apart. */
const MAX_ATTEMPTS = 3;
const NORTH = 'Z8T001'; // has its own FHIR endpoint for answers (/north)
const SOUTH = 'Z8T002'; // has none: answers go to its mailbox
const COMMUNITY = 'Z8T102'; // community nursing (/community) and rapid response (/rapid)

describe("delivery, acknowledgements and the referral's lifecycle", () => {
  let hub: LocalHub;
  const receiver = new TestReceiver();
  beforeAll(async () => {
    await receiver.start();
    hub = await startLocalHub({
      port: 0,
      receiversPort: false,
      networks: [networkPushingTo(receiver.origin)],
      policy: { maxAttempts: MAX_ATTEMPTS, baseDelaySeconds: 1, maxDelaySeconds: 1, pushTimeoutMs: 2000 },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await receiver.stop();
  });

  const nursing = (sender = NORTH, priority: 'routine' | 'urgent' = 'routine') =>
    referralMessage({ senderOds: sender, category: 'community-nursing', priority });
  const send = async (bundle: ReturnType<typeof nursing>, sender = NORTH, correlationId = crypto.randomUUID()) => {
    const requestId = crypto.randomUUID();
    const answer = await sendMessage(hub.baseUrl, bundle, { sender, requestId, correlationId });
    expect(answer.status).toBe(202);
    return { requestId, correlationId };
  };
  const finalStatus = (id: string, sender = NORTH) =>
    eventually(() => messageStatus(hub.baseUrl, id, sender), untilStatus('delivered', 'failed'));

  it("pushes to the receiver's $process-message with the original Bundle.id and BaRS ids, so it can discard duplicates", async () => {
    receiver.answer('/community', 503, 200);
    const bundle = nursing();
    const { requestId, correlationId } = await send(bundle);
    const record = await finalStatus(bundle.id!);
    expect(record.status).toBe('delivered');
    const [first, retry] = receiver.pushesOf(bundle.id!);
    // The case's X-Correlation-Id; the hub's own X-Request-Id for its request, the same for a retry of it.
    expect(first).toMatchObject({ path: '/community', correlationId });
    expect(first!.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(first!.requestId).not.toBe(requestId);
    expect(retry!.requestId).toBe(first!.requestId);
    expect(first!.body).toEqual(bundle);
  });

  it('retries a transient failure with backoff and then delivers', async () => {
    receiver.answer('/community', 503, 429, 200);
    const bundle = nursing();
    await send(bundle);
    const record = await finalStatus(bundle.id!);
    expect(record.status).toBe('delivered');
    expect(record.attempts).toBe(3);
    expect(record.timeline.filter((e) => e.type === 'delivery-attempt').map((e) => e.result)).toEqual([
      'transient',
      'transient',
      'success',
    ]);
    expect(receiver.pushesOf(bundle.id!).map((p) => p.answered)).toEqual([503, 429, 200]);
  });

  it('gives up on a receiver that does not answer within the push timeout, and retries', async () => {
    receiver.answer('/community', HANG, 200);
    const bundle = nursing();
    await send(bundle);
    const record = await finalStatus(bundle.id!);
    expect(record.status).toBe('delivered');
    expect(record.timeline.find((e) => e.type === 'delivery-attempt')).toMatchObject({
      result: 'transient',
      detail: expect.stringContaining('no answer within 2000 ms'),
    });
  });

  it('fails at once on a permanent refusal and sends the practice a fatal-error response at its endpoint', async () => {
    receiver.answer('/community', 422);
    const bundle = nursing();
    await send(bundle);
    const record = await finalStatus(bundle.id!);
    expect(record.status).toBe('failed');
    expect(record.attempts).toBe(1);
    const notice = await eventually(
      async () =>
        receiver.received.find(
          (r) => r.path === '/north' && r.body.entry?.[0]?.resource?.response?.identifier === bundle.id,
        ),
      Boolean,
    );
    expect(notice!.body.entry[0].resource.response.code).toBe('fatal-error');
    expect(notice!.body.entry[0].resource.eventCoding.code).toBe('servicerequest-response');
    const after = await eventually(
      () => messageStatus(hub.baseUrl, bundle.id!, NORTH),
      (r) => r.timeline.some((e) => e.type === 'sender-notified'),
    );
    expect(after.outcome).toBeUndefined(); // the receiver never answered: its outcome is not 'failed'
  });

  let failedWhileDown = '';
  it('fails after the last attempt when the receiver stays down, and tells the practice through its mailbox', async () => {
    receiver.answer('/community', 503, 503, 503);
    const bundle = nursing(SOUTH);
    await send(bundle, SOUTH);
    const record = await finalStatus(bundle.id!, SOUTH);
    expect(record.status).toBe('failed');
    expect(record.attempts).toBe(MAX_ATTEMPTS);
    const mailbox = await eventually(
      async () => call(hub.baseUrl, 'GET', '/mailbox', { headers: await asOrganisation(hub.baseUrl, SOUTH) }),
      (a) => a.body.messages.some((m: { inReplyTo?: string }) => m.inReplyTo === bundle.id),
    );
    const notice = mailbox.body.messages.find((m: { inReplyTo?: string }) => m.inReplyTo === bundle.id);
    expect(notice).toMatchObject({ kind: 'notification', event: 'servicerequest-response' });
    const fetched = await call(hub.baseUrl, 'GET', `/mailbox/${notice.messageId}`, {
      headers: await asOrganisation(hub.baseUrl, SOUTH),
    });
    expect(fetched.body.entry[0].resource.response).toMatchObject({ identifier: bundle.id, code: 'fatal-error' });
    failedWhileDown = bundle.id!;
  });

  it('lists failed messages for ops, and not for practices', async () => {
    const ops = await call(hub.baseUrl, 'GET', '/messages?status=failed', {
      headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
    });
    expect(ops.body.messages.map((m: { messageId: string }) => m.messageId)).toContain(failedWhileDown);
    expect(
      (await call(hub.baseUrl, 'GET', '/messages?status=failed', { headers: await asOrganisation(hub.baseUrl, SOUTH) }))
        .status,
    ).toBe(403);
  });

  it('replays a failed message from its stored original when ops ask, linked in the timeline', async () => {
    receiver.answer('/community', 200);
    const answer = await call(hub.baseUrl, 'POST', `/messages/${failedWhileDown}/$replay`, {
      headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
    });
    expect(answer.status).toBe(202);
    const record = await finalStatus(failedWhileDown, SOUTH);
    expect(record.status).toBe('delivered');
    expect(record.replays).toBe(1);
    expect(record.outcome).toBeUndefined(); // the failure no longer stands
    const types = record.timeline.map((e) => e.type);
    expect(types.indexOf('replayed')).toBeGreaterThan(types.indexOf('failed'));
    expect(receiver.pushesOf(failedWhileDown).at(-1)!.body.id).toBe(failedWhileDown);
  });

  it('replays to another service when ops name one', async () => {
    receiver.answer('/community', 422);
    const bundle = nursing();
    await send(bundle);
    expect((await finalStatus(bundle.id!)).status).toBe('failed');
    const answer = await call(hub.baseUrl, 'POST', `/messages/${bundle.id}/$replay`, {
      headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
      body: { service: 'rapid' },
    });
    expect(answer.status).toBe(202);
    const record = await finalStatus(bundle.id!);
    expect(record).toMatchObject({ status: 'delivered', destination: { serviceId: 'rapid' } });
    expect(record.timeline.find((e) => e.type === 'replayed')!.detail).toContain(
      'to Rapid Response (was Community Nursing)',
    );
  });

  it('refuses to replay a message that did not fail, or for someone who is not ops', async () => {
    receiver.answer('/community', 200);
    const bundle = nursing();
    await send(bundle);
    await finalStatus(bundle.id!);
    expect(
      (
        await call(hub.baseUrl, 'POST', `/messages/${bundle.id}/$replay`, {
          headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await call(hub.baseUrl, 'POST', `/messages/${bundle.id}/$replay`, {
          headers: await asOrganisation(hub.baseUrl, NORTH),
        })
      ).status,
    ).toBe(403);
  });

  it('does not let one failing receiver hold up deliveries to the others', async () => {
    receiver.byDefault('/rapid', 503);
    receiver.answer('/community', 200);
    const stuck = nursing(NORTH, 'urgent');
    const healthy = nursing(NORTH, 'routine');
    await send(stuck);
    await send(healthy);
    const delivered = await finalStatus(healthy.id!);
    expect(delivered.status).toBe('delivered');
    const other = await messageStatus(hub.baseUrl, stuck.id!, NORTH);
    expect(['retrying', 'delivering', 'queued']).toContain(other.status);
    receiver.byDefault('/rapid', 200);
  });

  it('ignores a redelivered queue record for a message already delivered (idempotent per message)', async () => {
    receiver.answer('/community', 200);
    const bundle = nursing();
    await send(bundle);
    await finalStatus(bundle.id!);
    // Act: the same record again, as SQS's at-least-once delivery may hand it over; the handler returns when done.
    const redelivered = sqsEvent(
      [{ MessageId: 'again', ReceiptHandle: 'again', Body: JSON.stringify({ messageId: bundle.id }) }],
      'arn:aws:sqs:eu-west-2:000000000000:pcn-hub-delivery',
    );
    const response = await hub.handlers.deliver(redelivered, lambdaContext('deliver', 60));
    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.pushesOf(bundle.id!)).toHaveLength(1);
    expect((await messageStatus(hub.baseUrl, bundle.id!, NORTH)).attempts).toBe(1);
  });

  describe('answers from the receiver', () => {
    let original = '';
    let correlationId = '';
    beforeAll(async () => {
      receiver.answer('/community', 200);
      const bundle = nursing();
      ({ correlationId } = await send(bundle));
      await finalStatus(bundle.id!);
      original = bundle.id!;
    });
    const answerAs = async (ods: string, message: unknown, correlation = correlationId) =>
      call(hub.baseUrl, 'POST', '/$process-message', {
        headers: {
          'content-type': FHIR_JSON,
          'x-request-id': crypto.randomUUID(),
          'x-correlation-id': correlation,
          ...(await asOrganisation(hub.baseUrl, ods)),
        },
        body: message,
      });

    it('are correlated to the original and routed back to the referring practice, not through the routing table', async () => {
      const accepted = responseMessage({ receiverOds: COMMUNITY, originalMessageId: original, taskStatus: 'accepted' });
      expect((await answerAs(COMMUNITY, accepted)).status).toBe(202);
      const pushed = await eventually(
        async () => receiver.pushesOf(accepted.id!),
        (p) => p.length > 0,
      );
      expect(pushed[0]).toMatchObject({ path: '/north', correlationId });
      const record = await messageStatus(hub.baseUrl, original, NORTH);
      expect(record.outcome).toBe('accepted');
      expect(record.timeline.find((e) => e.type === 'responded')!.relatedMessageId).toBe(accepted.id);
    });

    it('carry completion', async () => {
      expect(
        (
          await answerAs(
            COMMUNITY,
            responseMessage({ receiverOds: COMMUNITY, originalMessageId: original, taskStatus: 'completed' }),
          )
        ).status,
      ).toBe(202);
      const record = await messageStatus(hub.baseUrl, original, NORTH);
      expect(record).toMatchObject({ status: 'delivered', outcome: 'completed' }); // how delivery went is kept
    });

    it('refuse a late "accepted" after "completed" with 409 naming both states, and keep the outcome', async () => {
      const late = responseMessage({ receiverOds: COMMUNITY, originalMessageId: original, taskStatus: 'accepted' });
      const answer = await answerAs(COMMUNITY, late);
      expect(answer.status).toBe(409);
      expect(answer.body.issue[0].details.coding[0].code).toBe('REC_CONFLICT');
      expect(answer.body.issue[0].diagnostics).toContain("is 'completed' and cannot become 'accepted'");
      expect((await messageStatus(hub.baseUrl, original, NORTH)).outcome).toBe('completed');
      expect(receiver.pushesOf(late.id!)).toHaveLength(0);
    });

    it('carry a rejection and its reason', async () => {
      receiver.answer('/community', 200);
      const referral = nursing();
      const { correlationId: rejectedCase } = await send(referral);
      await finalStatus(referral.id!);
      const rejected = responseMessage({
        receiverOds: COMMUNITY,
        originalMessageId: referral.id!,
        taskStatus: 'rejected',
        reason: 'Outside our catchment',
      });
      expect((await answerAs(COMMUNITY, rejected, rejectedCase)).status).toBe(202);
      const record = await messageStatus(hub.baseUrl, referral.id!, NORTH);
      expect(record).toMatchObject({ outcome: 'rejected', outcomeReason: 'Outside our catchment' });
    });

    it("must keep the case's X-Correlation-Id", async () => {
      const answer = await answerAs(
        COMMUNITY,
        responseMessage({ receiverOds: COMMUNITY, originalMessageId: original }),
        crypto.randomUUID(),
      );
      expect(answer.status).toBe(422);
      expect(answer.body.issue[0].expression).toEqual(['X-Correlation-Id']);
    });

    it('must name a message the hub carried', async () => {
      const answer = await answerAs(
        COMMUNITY,
        responseMessage({ receiverOds: COMMUNITY, originalMessageId: crypto.randomUUID() }),
      );
      expect(answer.status).toBe(422);
      expect(answer.body.issue[0].expression).toEqual(['Bundle.entry[0].resource.response.identifier']);
    });

    it('are refused from an organisation that was not party to the original, as if it did not exist', async () => {
      const answer = await answerAs('Z8T101', responseMessage({ receiverOds: 'Z8T101', originalMessageId: original }));
      expect(answer.status).toBe(422);
      expect(answer.body.issue[0].diagnostics).toContain('names no message the hub carried');
    });

    it("are refused from the referring practice: it cannot set its own referral's outcome (403)", async () => {
      const answer = await answerAs(
        NORTH,
        responseMessage({
          receiverOds: NORTH,
          originalMessageId: original,
          code: 'fatal-error',
          taskStatus: 'rejected',
        }),
      );
      expect(answer.status).toBe(403);
      expect(answer.body.issue[0].diagnostics).toContain(`comes from ${COMMUNITY}`);
    });
  });

  describe('care-home tasks', () => {
    it("go to the home's care-home team, and the team's task updates come back to the practice", async () => {
      receiver.answer('/community', 200);
      const task = careHomeTaskMessage({ senderOds: NORTH, careHome: 'Z8TC01', category: 'care-home-mdt' });
      const correlationId = crypto.randomUUID();
      expect(
        (await sendMessage(hub.baseUrl, task, { sender: NORTH, correlationId })).body.issue[0].diagnostics,
      ).toContain('Care Home Team');
      expect((await finalStatus(task.id!)).status).toBe('delivered');

      const updateAs = async (taskStatus: 'accepted' | 'in-progress' | 'completed') =>
        call(hub.baseUrl, 'POST', '/$process-message', {
          headers: {
            'content-type': FHIR_JSON,
            'x-request-id': crypto.randomUUID(),
            'x-correlation-id': correlationId,
            ...(await asOrganisation(hub.baseUrl, COMMUNITY)),
          },
          body: responseMessage({
            receiverOds: COMMUNITY,
            originalMessageId: task.id!,
            event: 'task-update',
            taskStatus,
          }),
        });
      expect((await updateAs('accepted')).status).toBe(202);
      const answer = await updateAs('in-progress');
      expect(answer.status).toBe(202);
      const update = { id: answer.headers.get('location')!.replace('messages/', '') };
      await eventually(
        async () => receiver.pushesOf(update.id!),
        (p) => p.some((push) => push.path === '/north'),
      );
      // FHIR's Task state machine: a Task under way cannot go back to requested-and-accepted.
      const refused = await updateAs('accepted');
      expect(refused.status).toBe(409);
      expect(refused.body.issue[0].diagnostics).toContain("The task is 'in-progress' and cannot become 'accepted'");
      expect((await messageStatus(hub.baseUrl, task.id!, NORTH)).outcome).toBe('in-progress');
    });
  });
});
