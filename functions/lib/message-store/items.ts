import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { MessageBundle } from '../../../core/fhir/bundle.js';
import type { MessageRecord } from '../../../core/lifecycle/message-record.js';
import { BODY_RETENTION_DAYS, MESSAGE_RETENTION_DAYS } from '../../../core/lifecycle/retention.js';
import { shardOf } from '../../../core/shard.js';
import { attributeValues } from '../attribute-values.js';
import { packBody } from '../message-body.js';
import { LISTING_SHARDS } from '../storage.js';

/**
 * How a message is laid out in DynamoDB: its record (a map, read from the table and never projected into an index)
 * and the top-level attributes each index is keyed by, in one item; its Bundle, compressed, in an item of the bodies
 * table, written once. An index carries only its keys (and the few attributes a query filters on), so a write of the
 * record costs the record's size, not the Bundle's nor the record's once more per index.
 */

/** The listing shard of a message: spread evenly by its identity. */
export function listShardOf(messageId: string): string {
  return String(shardOf(messageId, LISTING_SHARDS));
}

/** The item a new message's record is stored as, marshalled here: every message writes it once. */
export function newMessageItem(record: MessageRecord, patientKey: string | undefined): Record<string, AttributeValue> {
  const shard = listShardOf(record.messageId);
  return attributeValues({
    messageId: record.messageId,
    senderOrganisation: record.senderOrganisation,
    receiverOrganisation: record.destination.organisation,
    serviceId: record.destination.serviceId,
    ...(patientKey ? { patientKey } : {}),
    correlationId: record.correlationId,
    createdAt: record.createdAt,
    listShard: shard,
    // DynamoDB deletes the message (record and timeline) once its retention has passed.
    expiresAt: epochSeconds(record.createdAt, MESSAGE_RETENTION_DAYS),
    ...(record.dueAt ? { dueAt: record.dueAt, dueShard: shard } : {}),
    ...(record.task
      ? { taskRequester: record.senderOrganisation, taskOwner: record.destination.organisation, taskShard: shard }
      : {}),
    status: record.status,
    updatedAt: record.updatedAt,
    record,
  });
}

/**
 * The item a new message's Bundle is stored as: when (in epoch milliseconds: which request's it is, and a body whose
 * record never followed is known by it), and when DynamoDB's TTL removes it if the sweep has not. Nothing else: a
 * sample referral's body item stays within one write unit.
 */
export function newBodyItem(
  record: MessageRecord,
  bundle: MessageBundle,
  storedAt: Date,
  asReceived?: string,
): Record<string, AttributeValue> {
  return attributeValues({
    messageId: record.messageId,
    storedAt: storedAt.getTime(),
    expiresAt: bodyExpiresAt(record.createdAt),
    ...packBody(bundle, asReceived),
  });
}

const epochSeconds = (from: string, days: number) => Math.floor(Date.parse(from) / 1000) + days * 86_400;

/** When DynamoDB's TTL removes a message's body (epoch seconds): BODY_RETENTION_DAYS after it arrived. */
export const bodyExpiresAt = (createdAt: string) => epochSeconds(createdAt, BODY_RETENTION_DAYS);
