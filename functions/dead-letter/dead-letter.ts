import type { Hub } from '../../core/hub.js';
import { DELIVERY_LIFECYCLE } from '../../core/lifecycle/delivery-lifecycle.js';
import { failMessage } from '../../core/services/delivery.js';
import { deliveryOf, sqsHandler } from '../lib/sqs.js';
import { DELIVERY_QUEUE } from '../lib/storage.js';

/**
 * The last safety net: a record the delivery worker could not finish in DELIVERY_QUEUE.maxReceiveCount receives
 * (it kept crashing, or a dependency kept failing) ends here. Its message becomes 'failed' and the sender is told,
 * so nothing accepted disappears silently; ops can replay it. A record that names no message carries nothing to
 * lose: it is logged (with its SQS id) and dropped rather than retried forever.
 */
export function createDeadLetterHandler(hub: Hub) {
  return sqsHandler(async (record) => {
    hub.metric('DeadLettered');
    let messageId: string;
    try {
      messageId = deliveryOf(record).messageId;
    } catch (error) {
      hub.log.error('dead-lettered record names no message; dropped', {
        sqsMessageId: record.messageId,
        error: (error as Error).message,
      });
      return;
    }
    const message = await hub.store.get(messageId);
    // Delivered, in a mailbox or already failed: nothing is owed any more.
    if (!message || !DELIVERY_LIFECYCLE.can(message.status, 'failed')) return;
    await failMessage(
      hub,
      message,
      `delivery processing failed ${DELIVERY_QUEUE.maxReceiveCount} times (dead-lettered)`,
    );
  });
}
