import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { Hub } from '../../core/hub.js';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { type ObservedChange, recordTraffic } from '../../core/services/traffic.js';

type Image = Record<string, AttributeValue> | undefined;

/** The message record inside a stream image of a Messages item (only its record attribute is read). */
function recordOf(image: Image): MessageRecord | undefined {
  return image?.record ? (unmarshall({ record: image.record }).record as MessageRecord) : undefined;
}

/** A stream record as a change of a message: what it was (status, outcome) and what it is now. */
export function changeOf(oldImage: Image, newImage: Image): ObservedChange | undefined {
  const after = recordOf(newImage);
  if (!after) return undefined; // a removal (retention) changes no traffic
  const before = recordOf(oldImage);
  return {
    after,
    ...(before ? { before: { status: before.status, ...(before.outcome ? { outcome: before.outcome } : {}) } } : {}),
  };
}

/**
 * The Messages table's stream: each batch of changes becomes the traffic counts ops read. A failed batch is
 * retried whole by Lambda (counts are added, so a retried batch may count twice: the figures are for watching
 * trends, not for billing).
 */
export function createTrafficHandler(hub: Hub) {
  return middy<DynamoDBStreamEvent, { counted: number }>().handler(async (event) => {
    const changes = event.Records.flatMap((r) => {
      const change = changeOf(r.dynamodb?.OldImage as Image, r.dynamodb?.NewImage as Image);
      return change ? [change] : [];
    });
    return { counted: await recordTraffic(hub, changes) };
  });
}
