import middy from '@middy/core';
import { requeueStuckMessages } from '../../core/services/sweep.js';
import { hubFromEnvironment } from '../lib/hub.js';
import { withObservability } from '../lib/lambda.js';
import { SWEEP_STUCK_AFTER_SECONDS } from '../lib/resources.js';

const { deps } = hubFromEnvironment();

/** Scheduled: re-enqueue messages that stopped moving (stored but never enqueued, or lost from a queue). */
export const handler = withObservability(
  middy<unknown, { requeued: number }>().handler(async () => ({
    requeued: await requeueStuckMessages(deps, SWEEP_STUCK_AFTER_SECONDS),
  })),
);
