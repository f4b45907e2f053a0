import { PENDING } from '../lifecycle/delivery-lifecycle.js';
import { type MessageRecord, queuedDelivery, timelineEvent } from '../lifecycle/message-record.js';
import { statusChange } from '../lifecycle/transitions.js';
import type { HubDependencies } from './dependencies.js';

/** Most messages one sweep re-enqueues per status (the next sweep takes the rest). */
export const SWEEP_BATCH = 500;

/** A message still 'accepted' this long was stored but never enqueued, or its record lost (a worker takes it in ms). */
export const UNQUEUED_AFTER_SECONDS = 120;

/**
 * Re-enqueues messages the hub still owes a delivery but that have not moved: stored but never enqueued (after
 * UNQUEUED_AFTER_SECONDS), or lost from a queue or left by a dead worker (after `stuckAfterSeconds`, longer than any
 * retry delay). The delivery worker's claim makes a duplicate enqueue harmless. Returns how many were re-enqueued.
 */
export async function requeueStuckMessages(deps: HubDependencies, stuckAfterSeconds: number): Promise<number> {
  const now = deps.clock.now().getTime();
  const stuck: MessageRecord[] = [];
  for (const status of PENDING) {
    const unmovedSince = now - (status === 'accepted' ? UNQUEUED_AFTER_SECONDS : stuckAfterSeconds) * 1000;
    const listed = await deps.store.listByStatus(status, SWEEP_BATCH, undefined, new Date(unmovedSince));
    // The index lists what its entries say; the records are read after it. An index behind its records (a GSI is
    // eventually consistent) may list a message claimed or delivered a moment ago: a live claim is not released.
    stuck.push(...listed.items.filter((r) => r.status === status && Date.parse(r.updatedAt) < unmovedSince));
  }
  return requeue(deps, stuck);
}

/** Bodies whose retention has passed, removed per sweep at most (the next sweep takes the rest). */
export const BODY_REMOVAL_BATCH = 500;

/** Removes the bodies (patient details) of messages past BODY_RETENTION_DAYS; the records and timelines stay. */
export async function dropExpiredBodies(deps: HubDependencies): Promise<number> {
  const removed = await deps.store.dropExpiredBodies(deps.clock.now(), BODY_REMOVAL_BATCH);
  if (removed > 0) deps.log.info('message bodies past their retention removed', { removed });
  return removed;
}

/** Messages requeued at once: a restart with hundreds owed a delivery is back at work in a moment, not minutes. */
export const REQUEUE_CONCURRENCY = 8;

/**
 * Enqueues each pending message again, releasing the claim of a worker that died mid-attempt. A message listed as
 * pending that is not (an index behind its record) is left alone: it is owed nothing, and its timeline stays true.
 */
export async function requeue(deps: HubDependencies, listed: MessageRecord[]): Promise<number> {
  const records = listed.filter((record) => PENDING.includes(record.status));
  let count = 0;
  for (let from = 0; from < records.length; from += REQUEUE_CONCURRENCY) {
    const batch = records.slice(from, from + REQUEUE_CONCURRENCY);
    const requeued = await Promise.all(batch.map((record) => requeueOrNote(deps, record)));
    count += requeued.filter(Boolean).length;
  }
  if (count > 0) deps.metric('MessageRequeued', count);
  return count;
}

/** One message that cannot be requeued must not stop the others: noted, and the next sweep tries it again. */
async function requeueOrNote(deps: HubDependencies, record: MessageRecord): Promise<boolean> {
  try {
    return await requeueOne(deps, record);
  } catch (error) {
    deps.metric('SweepFailed');
    deps.log.error('sweep could not requeue a message', {
      messageId: record.messageId,
      error: (error as Error).message,
    });
    return false;
  }
}

/** Releases a dead worker's claim (or notes the requeue) and enqueues; false when the message moved on meanwhile. */
async function requeueOne(deps: HubDependencies, record: MessageRecord): Promise<boolean> {
  const now = deps.clock.now();
  const event = timelineEvent('requeued', now, { detail: `no progress since ${record.updatedAt} (${record.status})` });
  const released =
    record.status === 'delivering'
      ? await deps.store.update(
          record.messageId,
          statusChange(record, 'retrying', { expect: { attempts: record.attempts }, events: [event], at: now }),
        )
      : await deps.store.update(record.messageId, { expect: { status: record.status }, events: [event], at: now });
  if (!released) return false;
  await deps.queue.enqueue(queuedDelivery(record));
  return true;
}
