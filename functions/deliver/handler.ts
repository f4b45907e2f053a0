import { deliverMessage } from '../../core/services/delivery.js';
import { hubFromEnvironment } from '../lib/hub.js';
import { withObservability } from '../lib/lambda.js';
import { DELIVERY_QUEUE } from '../lib/resources.js';
import { messageIdOf, sqsHandler } from '../lib/sqs.js';

const { deps, queue } = hubFromEnvironment();

/** Thrown so the batch processor lists the record as failed after its visibility has been set to the backoff. */
class RetryLater extends Error {}

export const handler = withObservability(
  sqsHandler(async (record) => {
    const outcome = await deliverMessage(deps, messageIdOf(record), DELIVERY_QUEUE.visibilityTimeoutSeconds);
    if (outcome.action === 'retry') {
      await queue.retryAfter(record.receiptHandle, outcome.delaySeconds);
      throw new RetryLater(`retry in ${outcome.delaySeconds}s`);
    }
  }),
);
