import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueuedDelivery } from '../../core/lifecycle/message-record.js';

/**
 * The delivery a delivery-queue record carries; a record without a message id is malformed and fails alone. A
 * mailbox that is not an organisation's code is left out: the delivery then reads where the message goes; so is a
 * queuing time that is not one.
 */
export function deliveryOf(record: SQSRecord): QueuedDelivery {
  const body = JSON.parse(record.body) as Partial<QueuedDelivery>;
  if (typeof body.messageId !== 'string' || !body.messageId)
    throw new Error(`record ${record.messageId} carries no messageId`);
  const mailbox = body.mailbox;
  const wellFormed =
    typeof mailbox?.organisation === 'string' && ['string', 'undefined'].includes(typeof mailbox.serviceId);
  const queuedAt =
    typeof body.queuedAt === 'string' && !Number.isNaN(Date.parse(body.queuedAt)) ? body.queuedAt : undefined;
  return { messageId: body.messageId, ...(wellFormed ? { mailbox } : {}), ...(queuedAt ? { queuedAt } : {}) };
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
