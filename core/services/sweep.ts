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
      await deps.queue.enqueue(record.messageId);
      const now = deps.clock.now();
      await deps.store.update(record.messageId, { events: [timelineEvent('requeued', now, { detail: `no progress since ${record.updatedAt} (${status})` })], at: now });
      count++;
    }
  }
  if (count > 0) deps.metric('MessageRequeued', count);
  return count;
}
