import middy from '@middy/core';
import type { Hub } from '../../core/hub.js';
import { dropExpiredBodies, requeueStuckMessages } from '../../core/services/sweep.js';
import { SWEEP_STUCK_AFTER_SECONDS } from '../lib/lambdas.js';

/**
 * Scheduled: re-enqueue messages that stopped moving (stored but never enqueued, or lost from a queue), and remove
 * the bodies of messages past their retention.
 */
export function createSweepHandler(hub: Hub) {
  return middy<unknown, { requeued: number; bodiesRemoved: number }>().handler(async () => ({
    requeued: await requeueStuckMessages(hub, SWEEP_STUCK_AFTER_SECONDS),
    bodiesRemoved: await dropExpiredBodies(hub),
  }));
}
