import type { Hub } from '../../core/hub.js';
import { deliverMessage } from '../../core/services/delivery.js';
import { DELIVERY_CLAIM_LEASE_SECONDS } from '../lib/lambdas.js';
import { deliveryOf, sqsHandler } from '../lib/sqs.js';

/** Thrown so the batch processor lists the record as failed after its visibility has been set to the backoff. */
class RetryLater extends Error {}

/** SQS consumer of the delivery queue: one attempt per record; a retry becomes visible again after its backoff. */
export function createDeliverHandler(hub: Hub) {
  return sqsHandler(async (record) => {
    const outcome = await deliverMessage(hub, deliveryOf(record), DELIVERY_CLAIM_LEASE_SECONDS);
    if (outcome.action === 'retry') {
      await hub.queue.retryAfter(record.receiptHandle, outcome.delaySeconds);
      throw new RetryLater(`retry in ${outcome.delaySeconds}s`);
    }
  });
}
