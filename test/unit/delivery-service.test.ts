import type { MessageHeader, OperationOutcome } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { DuplicateMessageError } from '../../core/errors.js';
import { setServiceAvailability } from '../../core/services/availability.js';
import { deliverMessage, failMessage } from '../../core/services/delivery.js';
import { receiversHealth } from '../../core/services/health.js';
import { ingestMessage } from '../../core/services/ingest.js';
import { replayMessage } from '../../core/services/message-listings.js';
import { requeueStuckMessages } from '../../core/services/sweep.js';
import { LOCAL_OPS_ODS } from '../../local/identities.js';
import { referralMessage } from '../../local/sample-messages.js';
import { ScriptedTransport, type TestHub, testDependencies } from '../support/in-memory.js';
import { testNetwork } from '../support/networks.js';

const LEASE_SECONDS = 90;
const NORTH = { organisation: 'Z8T001', ops: false, roles: ['sender'] as const };
const OPS = { organisation: 'Z8OPS1', ops: true, roles: ['ops'] as const };

async function accept(hub: TestHub, category = 'community-nursing') {
  const bundle = referralMessage({ senderOds: 'Z8T001', category });
  const { record } = await ingestMessage(hub, {
    body: bundle,
    requestId: crypto.randomUUID(),
    correlationId: crypto.randomUUID(),
    caller: NORTH,
  });
  return record.messageId;
}

describe('ingest (the use case behind $process-message)', () => {
  it('stores the message in one write and enqueues it; the worker records when it was queued', async () => {
    // Prepare
    const hub = testDependencies([testNetwork()]);
    // Act
    const id = await accept(hub);
    // Assess: stored once ('accepted'), on the queue with the time it was queued.
    expect(hub.queue.enqueued).toEqual([id]);
    expect(hub.queue.last(id)).toMatchObject({ messageId: id, queuedAt: hub.clock.now().toISOString() });
    const stored = (await hub.store.get(id))!;
    expect(stored.status).toBe('accepted');
    expect(stored.timeline.map((e) => e.type)).toEqual(['received', 'validated', 'routed']);
    // Act: its delivery.
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    // Assess: the timeline reads as ever: queued (when it was), then delivered.
    const delivered = (await hub.store.get(id))!;
    expect(delivered.timeline.map((e) => e.type)).toEqual([
      'received',
      'validated',
      'routed',
      'queued',
      'delivery-attempt',
      'delivered',
    ]);
    expect(delivered.timeline[3]!.at).toBe(hub.queue.last(id).queuedAt);
  });

  it('refuses the same message identity twice', async () => {
    const hub = testDependencies([testNetwork()]);
    const bundle = referralMessage({ senderOds: 'Z8T001' });
    const inbound = { body: bundle, requestId: crypto.randomUUID(), correlationId: crypto.randomUUID(), caller: NORTH };
    const { record } = await ingestMessage(hub, structuredClone(inbound));
    // Another request (its own X-Request-Id) for the same message: a duplicate, even before it is delivered.
    const another = { ...structuredClone(inbound), requestId: crypto.randomUUID() };
    await expect(ingestMessage(hub, another)).rejects.toBeInstanceOf(DuplicateMessageError);
    // The same request again once the message has moved on: a duplicate too.
    await deliverMessage(hub, hub.queue.last(record.messageId), LEASE_SECONDS);
    await expect(ingestMessage(hub, structuredClone(inbound))).rejects.toBeInstanceOf(DuplicateMessageError);
    expect(hub.metrics.filter((m) => m === 'MessageDuplicate')).toHaveLength(2);
  });

  it('answers 425 while another request is storing the same message, and neither stores nor enqueues it', async () => {
    // Prepare: the store finds the message's identity claimed by a request still at work.
    const hub = testDependencies([testNetwork()]);
    hub.store.create = async () => 'in-flight';
    const bundle = referralMessage({ senderOds: 'Z8T001' });
    // Act
    const refused = ingestMessage(hub, {
      body: bundle,
      requestId: crypto.randomUUID(),
      correlationId: crypto.randomUUID(),
      caller: NORTH,
    });
    // Assess
    await expect(refused).rejects.toMatchObject({ status: 425, barsCode: 'REC_TOO_EARLY', retryAfterSeconds: 30 });
    expect(hub.queue.enqueued).toEqual([]);
  });

  it('keeps the message accepted (for the sweep) when the enqueue fails after the store succeeded', async () => {
    const hub = testDependencies([testNetwork()]);
    hub.queue.enqueue = async () => {
      throw new Error('queue unavailable');
    };
    const bundle = referralMessage({ senderOds: 'Z8T001' });
    const { record } = await ingestMessage(hub, {
      body: bundle,
      requestId: crypto.randomUUID(),
      correlationId: crypto.randomUUID(),
      caller: NORTH,
    });
    expect((await hub.store.get(record.messageId))!.status).toBe('accepted');
    expect(hub.metrics).toContain('EnqueueFailed');
  });
});

describe('updates and cancellations (BaRS reason update/delete)', () => {
  it("go where the case's referral went, even when the rules would now choose another service", async () => {
    const hub = testDependencies([testNetwork()]);
    const correlationId = crypto.randomUUID();
    const routine = referralMessage({ senderOds: 'Z8T001', category: 'community-nursing', priority: 'routine' });
    const { record: original } = await ingestMessage(hub, {
      body: routine,
      requestId: crypto.randomUUID(),
      correlationId,
      caller: NORTH,
    });
    const cancellation = referralMessage({
      senderOds: 'Z8T001',
      category: 'community-nursing',
      priority: 'urgent',
      reason: 'update',
      status: 'revoked',
      changes: routine,
    });
    const { record } = await ingestMessage(hub, {
      body: cancellation,
      requestId: crypto.randomUUID(),
      correlationId,
      caller: NORTH,
    });
    expect(record.destination.serviceId).toBe(original.destination.serviceId);
    expect(record.route?.ruleId).toBe(`update-of:${original.messageId}`);
    const referral = (await hub.store.get(original.messageId))!;
    expect(referral.outcome).toBe('cancelled'); // not merely "updated"
    expect(referral.timeline.at(-1)).toMatchObject({ type: 'cancelled', relatedMessageId: record.messageId });
  });

  it('cannot cancel a referral its receiver has completed: 409 naming both outcomes, nothing stored', async () => {
    const hub = testDependencies([testNetwork()]);
    const correlationId = crypto.randomUUID();
    const referral = referralMessage({ senderOds: 'Z8T001', category: 'community-nursing' });
    const { record } = await ingestMessage(hub, {
      body: referral,
      requestId: crypto.randomUUID(),
      correlationId,
      caller: NORTH,
    });
    await hub.store.update(record.messageId, {
      expect: { outcome: 'none' },
      outcome: 'completed',
      events: [],
      at: new Date(),
    });
    const cancellation = referralMessage({
      senderOds: 'Z8T001',
      category: 'community-nursing',
      reason: 'delete',
      changes: referral,
    });
    await expect(
      ingestMessage(hub, { body: cancellation, requestId: crypto.randomUUID(), correlationId, caller: NORTH }),
    ).rejects.toMatchObject({ status: 409, barsCode: 'REC_CONFLICT', from: 'completed', to: 'cancelled' });
    expect(hub.store.records.has(cancellation.id!)).toBe(false);
    expect((await hub.store.get(record.messageId))!.outcome).toBe('completed');
  });

  it('are refused when the case has no referral from the sender', async () => {
    const hub = testDependencies([testNetwork()]);
    const update = referralMessage({ senderOds: 'Z8T001', reason: 'update' });
    await expect(
      ingestMessage(hub, {
        body: update,
        requestId: crypto.randomUUID(),
        correlationId: crypto.randomUUID(),
        caller: NORTH,
      }),
    ).rejects.toMatchObject({ status: 422, issues: [expect.objectContaining({ expression: 'X-Correlation-Id' })] });
  });
});

describe('delivering one message', () => {
  it('pushes once and marks it delivered', async () => {
    const hub = testDependencies([testNetwork()]);
    const id = await accept(hub);
    expect(await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS)).toEqual({ action: 'done' });
    expect((await hub.store.get(id))!.status).toBe('delivered');
    expect(hub.transport.pushes).toHaveLength(1);
  });

  it('asks for a retry with a delay on a transient failure, then fails after the last attempt and tells the sender', async () => {
    const hub = testDependencies([testNetwork()], new ScriptedTransport([503, undefined, 503]));
    const id = await accept(hub);
    const first = await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    expect(first.action).toBe('retry');
    expect(await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS)).toMatchObject({ action: 'retry' });
    expect(await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS)).toEqual({ action: 'done' });
    const record = (await hub.store.get(id))!;
    expect(record).toMatchObject({ status: 'failed', attempts: 3 });
    expect(record.outcome).toBeUndefined(); // the receiver never answered
    const notification = [...hub.store.records.values()].find((r) => r.kind === 'notification')!;
    expect(notification).toMatchObject({ inReplyTo: id, destination: { organisation: 'Z8T001', channel: 'mailbox' } });
    expect((await hub.store.getBundle(notification.messageId))!.entry![0]!.resource).toMatchObject({
      response: { identifier: id, code: 'fatal-error' },
    });
  });

  it('does nothing for a message already delivered (a redelivered queue record)', async () => {
    const hub = testDependencies([testNetwork()]);
    const id = await accept(hub);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    expect(hub.transport.pushes).toHaveLength(1);
  });

  it("places a mailbox message in its receiver's mailbox without pushing", async () => {
    const hub = testDependencies([testNetwork()]);
    const id = await accept(hub, 'social-prescribing');
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    expect((await hub.store.get(id))!.status).toBe('in-mailbox');
    expect((await hub.store.listMailbox('Z8T101', 10)).items.map((r) => r.messageId)).toEqual([id]);
    expect(hub.transport.pushes).toHaveLength(0);
  });

  it('places a mailbox message in one write when the queue says which mailbox, and claims first when it does not', async () => {
    // Prepare: two referrals to the same mailbox service, counting the store's writes.
    const hub = testDependencies([testNetwork()]);
    const [hinted, bare] = [await accept(hub, 'social-prescribing'), await accept(hub, 'social-prescribing')];
    const update = hub.store.update.bind(hub.store);
    let writes = 0;
    hub.store.update = (...args) => {
      writes++;
      return update(...args);
    };
    // Act & Assess: what the queue carries names the mailbox: one conditional write places it.
    expect(hub.queue.last(hinted).mailbox).toEqual({ organisation: 'Z8T101', serviceId: expect.any(String) });
    await deliverMessage(hub, hub.queue.last(hinted), LEASE_SECONDS);
    expect(writes).toBe(1);
    expect(await hub.store.get(hinted)).toMatchObject({ status: 'in-mailbox', attempts: 1 });
    // A record naming only the message (one enqueued before the queue carried mailboxes): claimed, then placed.
    writes = 0;
    await deliverMessage(hub, { messageId: bare }, LEASE_SECONDS);
    expect(writes).toBe(2);
    const waiting = (await hub.store.listMailbox('Z8T101', 10)).items.map((r) => r.messageId);
    expect(waiting.sort()).toEqual([hinted, bare].sort());
    // The same record again (SQS delivers at least once): nothing more is placed or counted.
    await deliverMessage(hub, hub.queue.last(hinted), LEASE_SECONDS);
    expect(await hub.store.get(hinted)).toMatchObject({ status: 'in-mailbox', attempts: 1 });
  });

  it('replays a failed message with its identity, and the timeline links the replay', async () => {
    const hub = testDependencies([testNetwork()], new ScriptedTransport([400, 200]));
    const id = await accept(hub);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    await replayMessage(hub, OPS, id);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    const record = (await hub.store.get(id))!;
    expect(record).toMatchObject({ status: 'delivered', replays: 1 });
    expect(record.outcome).toBeUndefined();
    expect(hub.transport.pushes.map((p) => p.bundle.id)).toEqual([id, id]);
  });

  it('tells the practice that a failed referral was re-sent, and again when it arrives', async () => {
    // Prepare: a referral refused by its receiver, so the practice was told fatal-error.
    const hub = testDependencies([testNetwork()], new ScriptedTransport([400, 200]));
    const id = await accept(hub);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    // Act: ops replay it, and it is delivered.
    await replayMessage(hub, OPS, id);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    // Assess: three answers to the practice, in order: failed, re-sent, delivered.
    const notices = [...hub.store.records.values()].filter((r) => r.kind === 'notification' && r.inReplyTo === id);
    const said = await Promise.all(
      notices.map(async (n) => {
        const header = (await hub.store.getBundle(n.messageId))!.entry![0]!.resource as MessageHeader;
        const outcome = (await hub.store.getBundle(n.messageId))!.entry!.at(-1)!.resource as OperationOutcome;
        return `${header.response!.code}: ${outcome.issue[0]!.diagnostics}`;
      }),
    );
    expect(said).toHaveLength(3);
    expect(said[0]).toMatch(/^fatal-error: Delivery to .* failed/);
    expect(said[1]).toMatch(/^ok: The hub has re-sent this referral .* to Community Nursing/);
    expect(said[2]).toMatch(/^ok: .* has now been delivered to Community Nursing/);
    expect(notices.every((n) => n.destination.organisation === 'Z8T001')).toBe(true);
  });

  it('a late worker cannot write "delivered" over a failure the sender was already told of', async () => {
    // Prepare: while the push is in flight, the message is failed (as the dead-letter consumer would).
    const hub = testDependencies([testNetwork()]);
    const id = await accept(hub);
    hub.transport.beforeAnswer = async () => {
      await failMessage(hub, (await hub.store.get(id))!, 'dead-lettered meanwhile');
    };
    // Act: the push then succeeds.
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    // Assess: the failure stands; the late success is on the timeline only.
    const record = (await hub.store.get(id))!;
    expect(record.status).toBe('failed');
    expect(record.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['failed', 'late-result']));
    expect(record.timeline.map((e) => e.type)).not.toContain('delivered');
  });

  it("comes back for a message another worker holds once that worker's claim would be stale", async () => {
    // Prepare: a worker claimed the message 30 s ago (and may have died: the hub restarted, its queue lost).
    const hub = testDependencies([testNetwork()]);
    const id = await accept(hub);
    const claimedAt = new Date(hub.clock.now().getTime() - 30_000);
    await hub.store.update(id, {
      expect: { status: 'accepted', attempts: 0 },
      status: 'delivering',
      attempts: 1,
      events: [],
      at: claimedAt,
    });
    // Act: the message's record comes round again.
    const outcome = await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    // Assess: not dropped, not delivered twice: looked at again just after the claim goes stale.
    expect(outcome).toEqual({ action: 'retry', delaySeconds: LEASE_SECONDS - 30 + 1 });
    expect((await hub.store.get(id))!).toMatchObject({ status: 'delivering', attempts: 1 });
  });

  it('holds deliveries to a destination ops paused, spending no attempt, and sends them when ops resume', async () => {
    // Prepare: a referral to community nursing is queued; then ops pause the service's deliveries.
    const hub = testDependencies([testNetwork()]);
    const id = await accept(hub);
    const pause = (deliveriesPaused: boolean) =>
      setServiceAvailability(hub, { ...OPS, organisation: LOCAL_OPS_ODS }, 'nursing', {
        acceptingReferrals: true,
        deliveriesPaused,
      });
    await pause(true);
    // Act: its delivery comes round, twice.
    expect(await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS)).toEqual({ action: 'done' });
    expect(await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS)).toEqual({ action: 'done' });
    // Assess: still waiting, no attempt spent, noted once, nothing pushed.
    const held = (await hub.store.get(id))!;
    expect(held).toMatchObject({ status: 'queued', attempts: 0 });
    expect(held.timeline.filter((e) => e.type === 'held')).toHaveLength(1);
    expect(hub.transport.pushes).toHaveLength(0);
    // Act: ops resume; the waiting message is enqueued again and delivered.
    const enqueuedBefore = hub.queue.enqueued.filter((m) => m === id).length;
    await pause(false);
    expect(hub.queue.enqueued.filter((m) => m === id).length).toBe(enqueuedBefore + 1);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    expect((await hub.store.get(id))!).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('shows ops a receiver in trouble: failures in a row, why, and what waits', async () => {
    // Prepare: community nursing refuses every push.
    const hub = testDependencies([testNetwork()], new ScriptedTransport([503, 503, 503]));
    const id = await accept(hub);
    for (let attempt = 0; attempt < hub.policy.maxAttempts; attempt++)
      await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    // Act
    const health = await receiversHealth(hub, OPS);
    // Assess: it stands first, in trouble, saying why; a quiet service is not.
    expect(health[0]).toMatchObject({
      serviceId: 'nursing',
      consecutiveFailures: hub.policy.maxAttempts,
      inTrouble: true,
      lastFailure: { why: expect.stringContaining('HTTP 503') },
    });
    expect(health.find((h) => h.serviceId === 'social')).toMatchObject({ consecutiveFailures: 0, inTrouble: false });
    await expect(receiversHealth(hub, NORTH)).rejects.toMatchObject({ status: 403 });
  });

  it('lets only ops pause deliveries; a team cannot', async () => {
    const hub = testDependencies([testNetwork()]);
    const team = { organisation: 'Z8T102', ops: false, roles: ['receiver'] as const };
    await expect(
      setServiceAvailability(hub, team, 'nursing', { acceptingReferrals: true, deliveriesPaused: true }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it('a sweep releases the claim of a worker that died mid-attempt and enqueues the message again', async () => {
    const hub = testDependencies([testNetwork()]);
    const id = await accept(hub);
    await hub.store.update(id, {
      expect: { status: 'accepted', attempts: 0 },
      status: 'delivering',
      attempts: 1,
      events: [],
      at: new Date('2026-11-23T09:00:00Z'),
    });
    expect(await requeueStuckMessages(hub, 60)).toBe(1);
    expect((await hub.store.get(id))!.status).toBe('retrying');
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    expect((await hub.store.get(id))!).toMatchObject({ status: 'delivered', attempts: 2 });
  });
});
