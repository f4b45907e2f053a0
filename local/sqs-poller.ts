import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaContext, sqsEvent } from './lambda-events.js';

export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

/** Long-poll wait per receive; short, so a stop is quick. */
const POLL_WAIT_SECONDS = 1;
/** Pause after a failed receive or invocation, so an emulator hiccup does not spin. */
const ERROR_PAUSE_MS = 250;
/** Records per invocation, as the event source mapping's batch size. */
const BATCH_SIZE = 10;

/** The invocation's answer, or a timeout error once the function's timeout has passed. */
function runWithin<T>(invocation: Promise<T>, timeoutSeconds: number, functionName: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${functionName} timed out after ${timeoutSeconds} s`)),
      timeoutSeconds * 1000,
    );
  });
  return Promise.race([invocation, timeout]).finally(() => clearTimeout(timer));
}

export interface Poller {
  stop(): Promise<void>;
}

/**
 * The local stand-in for the Lambda SQS event source mapping: receive a batch, invoke the handler with the SQS event,
 * delete the records it did not report in batchItemFailures. Failed records stay (with whatever visibility the
 * handler set) and the queue's redrive policy moves them to the DLQ after maxReceiveCount receives.
 */
export function startPoller(
  sqs: SQSClient,
  queueUrl: string,
  handler: SqsLambda,
  functionName: string,
  timeoutSeconds: number,
  onError: (error: Error) => void,
): Poller {
  let running = true;
  const loop = (async () => {
    const arn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes
        ?.QueueArn ?? queueUrl;
    while (running) {
      try {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: BATCH_SIZE,
            WaitTimeSeconds: POLL_WAIT_SECONDS,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (!Messages?.length) continue;
        // As Lambda does: an invocation past its timeout is abandoned (its records reappear after the visibility
        // timeout), and the poller goes on with the next batch instead of waiting on it for ever.
        const response = await runWithin(
          handler(sqsEvent(Messages, arn), lambdaContext(functionName, timeoutSeconds)),
          timeoutSeconds,
          functionName,
        );
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId!));
        if (done.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      } catch (error) {
        if (running) onError(error as Error);
        await new Promise((r) => setTimeout(r, ERROR_PAUSE_MS));
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
