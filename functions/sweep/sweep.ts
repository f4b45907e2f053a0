import middy from '@middy/core';
import type { Hub } from '../../core/hub.js';
import { requeueStuckMessages } from '../../core/services/sweep.js';
import { SWEEP_STUCK_AFTER_SECONDS } from '../lib/resources.js';

/** Scheduled: re-enqueue messages that stopped moving (stored but never enqueued, or lost from a queue). */
export function createSweepHandler(hub: Hub) {
  return middy<unknown, { requeued: number }>().handler(async () => ({
    requeued: await requeueStuckMessages(hub, SWEEP_STUCK_AFTER_SECONDS),
  }));
}
