import { failMessage } from '../../core/services/delivery.js';
import { hubFromEnvironment } from '../lib/hub.js';
import { withObservability } from '../lib/lambda.js';
import { DELIVERY_QUEUE } from '../lib/resources.js';
import { messageIdOf, sqsHandler } from '../lib/sqs.js';

const { deps } = hubFromEnvironment();

/**
 * The last safety net: a record the delivery worker could not finish in DELIVERY_QUEUE.maxReceiveCount receives
 * (it kept crashing, or a dependency kept failing) ends here. Its message becomes 'failed' and the sender is told,
 * so nothing accepted disappears silently; ops can replay it. A record that names no message carries nothing to
 * lose: it is logged (with its SQS id) and dropped rather than retried forever.
 */
export const handler = withObservability(
  sqsHandler(async (record) => {
    deps.metric('DeadLettered');
    let messageId: string;
    try {
      messageId = messageIdOf(record);
    } catch (error) {
      deps.log.error('dead-lettered record names no message; dropped', {
        sqsMessageId: record.messageId,
        error: (error as Error).message,
      });
      return;
    }
    const message = await deps.store.get(messageId);
    if (!message) return;
    await failMessage(
      deps,
      message,
      `delivery processing failed ${DELIVERY_QUEUE.maxReceiveCount} times (dead-lettered)`,
    );
  }),
);
