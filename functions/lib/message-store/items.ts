import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { MessageBundle } from '../../../core/fhir/bundle.js';
import type { MessageRecord } from '../../../core/lifecycle/message-record.js';
import { BODY_RETENTION_DAYS, MESSAGE_RETENTION_DAYS } from '../../../core/lifecycle/retention.js';
import { shardOf } from '../../../core/shard.js';
import { attributeValues } from '../attribute-values.js';
import { packBody } from '../message-body.js';
import { LISTING_SHARDS } from '../storage.js';

/**
 * How a message is laid out in its DynamoDB item: the record (a map, read from the table and never projected into an
 * index), the Bundle compressed, and the top-level attributes each index is keyed by. An index carries only its keys
 * (and the few attributes a query filters on), so a write of the record costs the table's write units, not the
 * record's size once more per index.
 */

/** The listing shard of a message: spread evenly by its identity. */
export function listShardOf(messageId: string): string {
  return String(shardOf(messageId, LISTING_SHARDS));
}

/** The item a new message is stored as, marshalled here: this is the one write every message makes. */
export function newMessageItem(
  record: MessageRecord,
  bundle: MessageBundle,
  patientKey: string | undefined,
  asReceived?: string,
): Record<string, AttributeValue> {
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
    // DynamoDB deletes the message (record, timeline and body) once its retention has passed.
    expiresAt: Math.floor(Date.parse(record.createdAt) / 1000) + MESSAGE_RETENTION_DAYS * 86_400,
    ...(record.dueAt ? { dueAt: record.dueAt, dueShard: shard } : {}),
    ...(record.task
      ? { taskRequester: record.senderOrganisation, taskOwner: record.destination.organisation, taskShard: shard }
      : {}),
    status: record.status,
    updatedAt: record.updatedAt,
    record,
    ...packBody(bundle, asReceived),
    // The body (patient details) goes sooner than the record: the sparse byBodyExpiry index finds it.
    bodyShard: shard,
    bodyExpiresAt: new Date(Date.parse(record.createdAt) + BODY_RETENTION_DAYS * 86_400_000).toISOString(),
  });
}
