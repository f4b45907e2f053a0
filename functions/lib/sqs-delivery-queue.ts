import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeliveryQueue } from '../../core/ports.js';

/** SQS limits DelaySeconds to 15 minutes. */
const MAX_SQS_DELAY_SECONDS = 900;

/** The delivery queue carries only the message id: the message itself stays in DynamoDB. */
export interface DeliveryQueueMessage {
  messageId: string;
}

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(messageId: string, delaySeconds = 0): Promise<void> {
    const body: DeliveryQueueMessage = { messageId };
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(body),
        DelaySeconds: Math.min(delaySeconds, MAX_SQS_DELAY_SECONDS),
      }),
    );
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
