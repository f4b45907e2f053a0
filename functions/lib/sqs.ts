import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeliveryQueueMessage } from './sqs-delivery-queue.js';

/** The message id a delivery-queue record carries; a record without one is malformed and fails alone. */
export function messageIdOf(record: SQSRecord): string {
  const body = JSON.parse(record.body) as Partial<DeliveryQueueMessage>;
  if (typeof body.messageId !== 'string' || !body.messageId)
    throw new Error(`record ${record.messageId} carries no messageId`);
  return body.messageId;
}

/**
 * An SQS consumer that reports failures per record (batchItemFailures): records are handled in parallel, so one slow
 * or failing receiver does not hold up the others, and only the failed records return to the queue.
 */
export function sqsHandler(handleRecord: (record: SQSRecord) => Promise<void>) {
  const processor = new BatchProcessor(EventType.SQS);
  return middy<SQSEvent, SQSBatchResponse>().handler((event, context) =>
    processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false }),
  );
}
