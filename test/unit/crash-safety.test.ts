import { describe, expect, it } from 'vitest';
import type { Hub } from '../../core/hub.js';
import { statusChange } from '../../core/lifecycle/transitions.js';
import { escalateDeadlines } from '../../core/services/deadline-escalation.js';
import { deliverMessage } from '../../core/services/delivery.js';
import { replayMessage } from '../../core/services/message-listings.js';
import { requeue, requeueStuckMessages, UNQUEUED_AFTER_SECONDS } from '../../core/services/sweep.js';
import { referralMessage, responseMessage } from '../../local/sample-messages.js';
import { failingOn } from '../support/faults.js';
import { ingestAs, ScriptedTransport, type TestHub, testDependencies } from '../support/in-memory.js';
import { testNetwork } from '../support/networks.js';

const NORTH = 'Z8T001';
const COMMUNITY = 'Z8T102';
const OPS = { organisation: 'Z8OPS1', ops: true, roles: ['ops'] as const };
const LEASE_SECONDS = 75;
const STUCK_AFTER_SECONDS = 45 * 60;
const start = new Date('2026-11-23T10:00:00Z');

/** A hub on in-memory ports whose clock the test moves; `crashing` is the same hub with one port failing. */
function aHub(transport = new ScriptedTransport()) {
  let now = start;
  const hub = testDependencies([testNetwork()], transport, start);
  return Object.assign(hub, {
    clock: { now: () => now },
    later: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)),
  });
}
const crashing = (
  hub: TestHub,
  port: 'store' | 'queue' | 'transport',
  method: string,
  n: number,
  thereafter = false,
): Hub => ({
  ...hub,
  [port]: failingOn(hub[port] as never, method as never, n, { thereafter }),
});

const send = ingestAs;
const notices = (hub: TestHub, about: string) =>
  [...hub.store.records.values()].filter((r) => r.kind === 'notification' && r.inReplyTo === about);

describe('every "write, then act" survives a crash between the two', () => {
  it('1. a failure whose sender was not yet told: the deadline sweep tells it, once', async () => {
    // Prepare: a referral its receiver refuses; the process dies as it creates the fatal-error notice.
    const hub = aHub(new ScriptedTransport([400]));
    const { id } = await send(hub, referralMessage({ senderOds: NORTH, category: 'community-nursing' }), NORTH);
    await expect(
      deliverMessage(crashing(hub, 'store', 'create', 1), hub.queue.last(id), LEASE_SECONDS),
    ).rejects.toThrow(/injected/);
    expect((await hub.store.get(id))!.status).toBe('failed');
    expect(notices(hub, id)).toHaveLength(0);
    // Act: the deadline sweep runs (a minute later), twice.
    hub.later(60);
    await escalateDeadlines(hub);
    await escalateDeadlines(hub);
    // Assess: one fatal-error notice, one timeline event saying so, nothing left watched.
    expect(notices(hub, id)).toHaveLength(1);
    const record = (await hub.store.get(id))!;
    expect(record.timeline.filter((e) => e.type === 'sender-notified')).toHaveLength(1);
    expect(hub.store.watched.has(id)).toBe(false);
  });

  it("2. an answer stored before its referral's outcome was written: the receiver's retry completes it", async () => {
    const hub = aHub();
    const { id, correlationId } = await send(
      hub,
      referralMessage({ senderOds: NORTH, category: 'community-nursing' }),
      NORTH,
    );
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    const answer = responseMessage({ receiverOds: COMMUNITY, originalMessageId: id, taskStatus: 'accepted' });
    // The answer is stored and enqueued, then the process dies writing the referral's outcome (the first update).
    await expect(send(crashing(hub, 'store', 'update', 1), answer, COMMUNITY, correlationId)).rejects.toThrow(
      /injected/,
    );
    expect((await hub.store.get(id))!.outcome).toBeUndefined();
    // Act: the receiver sends the same answer again.
    await expect(send(hub, answer, COMMUNITY, correlationId)).rejects.toMatchObject({ status: 409 });
    // Assess: a duplicate, as BaRS says, but the referral's outcome is now written, once.
    const record = (await hub.store.get(id))!;
    expect(record.outcome).toBe('accepted');
    expect(record.timeline.filter((e) => e.relatedMessageId === answer.id)).toHaveLength(1);
  });

  it('3. a cancellation stored before its referral was linked: the retry links it', async () => {
    const hub = aHub();
    const referral = referralMessage({ senderOds: NORTH, category: 'community-nursing' });
    const { id, correlationId } = await send(hub, referral, NORTH);
    const cancellation = referralMessage({
      senderOds: NORTH,
      category: 'community-nursing',
      reason: 'delete',
      changes: referral,
    });
    await expect(send(crashing(hub, 'store', 'update', 1), cancellation, NORTH, correlationId)).rejects.toThrow(
      /injected/,
    );
    expect((await hub.store.get(id))!.outcome).toBeUndefined();
    await expect(send(hub, cancellation, NORTH, correlationId)).rejects.toMatchObject({ status: 409 });
    const record = (await hub.store.get(id))!;
    expect(record.outcome).toBe('cancelled');
    expect(record.timeline.filter((e) => e.type === 'cancelled')).toHaveLength(1);
  });

  it('4. a message whose worker dies mid-attempt every time ends failed, its sender told', async () => {
    const hub = aHub();
    const { id } = await send(hub, referralMessage({ senderOds: NORTH, category: 'community-nursing' }), NORTH);
    const dying = crashing(hub, 'transport', 'push', 1, true);
    for (let attempt = 1; attempt <= hub.policy.maxAttempts; attempt++) {
      await expect(deliverMessage(dying, hub.queue.last(id), LEASE_SECONDS)).rejects.toThrow(/injected/);
      // Not yet stale: a redelivered record within the lease leaves the claim alone, and comes back when it is.
      expect(await deliverMessage(dying, hub.queue.last(id), LEASE_SECONDS)).toEqual({
        action: 'retry',
        delaySeconds: LEASE_SECONDS + 1,
      });
      hub.later(LEASE_SECONDS + 1);
    }
    expect(await deliverMessage(dying, hub.queue.last(id), LEASE_SECONDS)).toEqual({ action: 'done' });
    const record = (await hub.store.get(id))!;
    expect(record).toMatchObject({ status: 'failed', attempts: hub.policy.maxAttempts });
    expect(notices(hub, id)).toHaveLength(1);
  });

  it('5. stored but not enqueued: a referral within minutes, a replay without troubling ops', async () => {
    const hub = aHub(new ScriptedTransport([400]));
    const { id } = await send(
      crashing(hub, 'queue', 'enqueue', 1),
      referralMessage({ senderOds: NORTH, category: 'community-nursing' }),
      NORTH,
    );
    expect((await hub.store.get(id))!.status).toBe('accepted');
    hub.later(UNQUEUED_AFTER_SECONDS + 1);
    expect(await requeueStuckMessages(hub, STUCK_AFTER_SECONDS)).toBe(1);
    expect(hub.queue.enqueued).toContain(id);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS); // refused: failed
    const replayed = await replayMessage(crashing(hub, 'queue', 'enqueue', 1), OPS, id);
    expect(replayed.status).toBe('queued'); // ops got their answer; the sweep enqueues it
    const enqueuedBefore = hub.queue.enqueued.filter((m) => m === id).length;
    hub.later(STUCK_AFTER_SECONDS + 1);
    await requeueStuckMessages(hub, STUCK_AFTER_SECONDS);
    expect(hub.queue.enqueued.filter((m) => m === id).length).toBe(enqueuedBefore + 1);
  });

  it('6. the sweep goes past a message it cannot enqueue, and counts it', async () => {
    const hub = aHub();
    const flaky = crashing(hub, 'queue', 'enqueue', 1, true);
    const first = await send(flaky, referralMessage({ senderOds: NORTH, category: 'community-nursing' }), NORTH);
    const second = await send(flaky, referralMessage({ senderOds: NORTH, category: 'community-nursing' }), NORTH);
    hub.later(UNQUEUED_AFTER_SECONDS + 1);
    const poisoned = { ...hub, queue: failingOn(hub.queue, 'enqueue', 1) };
    expect(await requeueStuckMessages(poisoned, STUCK_AFTER_SECONDS)).toBe(1);
    expect(hub.metrics).toContain('SweepFailed');
    expect(hub.queue.enqueued.filter((m) => [first.id, second.id].includes(m))).toHaveLength(1);
  });

  it('7. an index behind its records (a GSI lags): the sweep leaves alone a claim made since and a message delivered since', async () => {
    // Prepare: one referral claimed a moment ago by a live worker, one delivered a moment ago; the status index still
    // has both under the entries they had long ago (pending, and unmoved past the sweep's thresholds).
    const hub = aHub(new ScriptedTransport([200]));
    const claimed = await send(hub, referralMessage({ senderOds: NORTH, category: 'community-nursing' }), NORTH);
    const delivered = await send(hub, referralMessage({ senderOds: NORTH, category: 'community-nursing' }), NORTH);
    hub.later(STUCK_AFTER_SECONDS + 1);
    await deliverMessage(hub, hub.queue.last(delivered.id), LEASE_SECONDS);
    const claim = (await hub.store.get(claimed.id))!;
    await hub.store.update(
      claimed.id,
      statusChange(claim, 'delivering', { expect: { attempts: 0 }, attempts: 1, events: [], at: hub.clock.now() }),
    );
    const before = await Promise.all([claimed.id, delivered.id].map((id) => hub.store.get(id)));
    const enqueued = hub.queue.enqueued.length;
    const laggingIndex: Hub = {
      ...hub,
      store: Object.assign(Object.create(hub.store), {
        listByStatus: async (status: string) => ({
          items: status === 'accepted' || status === 'delivering' ? before : [],
        }),
      }),
    };
    // Act
    const requeued = await requeueStuckMessages(laggingIndex, STUCK_AFTER_SECONDS);
    // Assess: nothing requeued, the live claim held, no timeline says otherwise
    expect(requeued).toBe(0);
    expect(hub.queue.enqueued).toHaveLength(enqueued);
    expect(await Promise.all([claimed.id, delivered.id].map((id) => hub.store.get(id)))).toEqual(before);
    expect(before.map((r) => r!.status)).toEqual(['delivering', 'delivered']);
  });

  it("8. the local hub's recovery at start requeues what is pending, not a delivered message its index still lists", async () => {
    // Prepare: a delivered referral
    const hub = aHub(new ScriptedTransport([200]));
    const { id } = await send(hub, referralMessage({ senderOds: NORTH, category: 'community-nursing' }), NORTH);
    await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    const delivered = (await hub.store.get(id))!;
    const enqueued = hub.queue.enqueued.length;
    // Act: listed as pending by an index entry left behind
    const requeued = await requeue(hub, [delivered]);
    // Assess
    expect(requeued).toBe(0);
    expect(hub.queue.enqueued).toHaveLength(enqueued);
    expect(await hub.store.get(id)).toEqual(delivered);
  });
});
