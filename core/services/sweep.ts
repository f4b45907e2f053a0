import { PENDING } from '../lifecycle/delivery-lifecycle.js';
import { type MessageRecord, timelineEvent } from '../lifecycle/message-record.js';
import { statusChange } from '../lifecycle/transitions.js';
import type { HubDependencies } from './dependencies.js';

/** Most messages one sweep re-enqueues per status (the next sweep takes the rest). */
export const SWEEP_BATCH = 500;

/**
 * Re-enqueues messages the hub still owes a delivery but that have not moved for `stuckAfterSeconds`: stored but
 * never enqueued (the enqueue failed), or lost from a queue. The delivery worker's claim makes a duplicate enqueue
 * harmless. Returns how many were re-enqueued.
 */
export async function requeueStuckMessages(deps: HubDependencies, stuckAfterSeconds: number): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - stuckAfterSeconds * 1000);
  const stuck: MessageRecord[] = [];
  for (const status of PENDING)
    stuck.push(...(await deps.store.listByStatus(status, SWEEP_BATCH, undefined, before)).items);
  return requeue(deps, stuck);
}

/** Enqueues each pending message again, releasing the claim of a worker that died mid-attempt. */
export async function requeue(deps: HubDependencies, records: MessageRecord[]): Promise<number> {
  let count = 0;
  for (const record of records) {
    const now = deps.clock.now();
    const event = timelineEvent('requeued', now, {
      detail: `no progress since ${record.updatedAt} (${record.status})`,
    });
    const released =
      record.status === 'delivering'
        ? await deps.store.update(
            record.messageId,
            statusChange(record, 'retrying', { expect: { attempts: record.attempts }, events: [event], at: now }),
          )
        : await deps.store.update(record.messageId, { expect: { status: record.status }, events: [event], at: now });
    if (!released) continue; // moved on since it was listed
    await deps.queue.enqueue(record.messageId);
    count++;
  }
  if (count > 0) deps.metric('MessageRequeued', count);
  return count;
}
