import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueuedDelivery } from '../../core/lifecycle/message-record.js';
import type { DeliveryQueue } from '../../core/ports.js';

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** The record is the delivery as JSON: the message itself stays in DynamoDB. */
  async enqueue(delivery: QueuedDelivery): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(delivery) }));
  }

  /** Backoff without sleeping in the Lambda: the failed record becomes visible again after the delay. */
  async retryAfter(receiptHandle: string, delaySeconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: delaySeconds,
      }),
    );
  }

  async depth(): Promise<number> {
    const counted = [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ] as const;
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: [...counted] }),
    );
    return counted.reduce((sum, name) => sum + Number(Attributes?.[name] ?? 0), 0);
  }
}
