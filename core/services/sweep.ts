import { PENDING, timelineEvent } from '../lifecycle/message-record.js';
import type { HubDependencies } from './dependencies.js';

/** Most messages one sweep re-enqueues per status (the next sweep takes the rest). */
export const SWEEP_BATCH = 500;

/**
 * Re-enqueues messages the hub still owes a delivery but that have not moved for `stuckAfterSeconds`: stored but
 * never enqueued (the enqueue failed), or lost from a queue (the local queue is in memory). The delivery worker's
 * claim makes a duplicate enqueue harmless. Returns how many were re-enqueued.
 */
export async function requeueStuckMessages(deps: HubDependencies, stuckAfterSeconds: number): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - stuckAfterSeconds * 1000);
  let count = 0;
  for (const status of PENDING) {
    const page = await deps.store.listByStatus(status, SWEEP_BATCH, undefined, before);
    for (const record of page.items) {
      const now = deps.clock.now();
      const event = timelineEvent('requeued', now, { detail: `no progress since ${record.updatedAt} (${status})` });
      // A claim that old belongs to a worker that died mid-attempt: release it so the next worker may try.
      const released = status === 'delivering'
        ? await deps.store.update(record.messageId, { fromStatuses: ['delivering'], expectAttempts: record.attempts, status: 'retrying', events: [event], at: now })
        : await deps.store.update(record.messageId, { events: [event], at: now });
      if (!released) continue; // moved on since it was listed
      await deps.queue.enqueue(record.messageId);
      count++;
    }
  }
  if (count > 0) deps.metric('MessageRequeued', count);
  return count;
}
