import { packBody } from '../functions/lib/message-body.js';
import { MESSAGES_TABLE } from '../functions/lib/resources.js';
import { referralMessage } from '../local/messages.js';
import type { RequestCount } from './end-to-end.js';
import { round } from './measure.js';

/**
 * AWS list prices (USD, on-demand, first tier, arm64 Lambda) used for the cost per million referrals. Published
 * prices for us-east-1; London (eu-west-2) is within about 10% of them. Kept here, and printed in the report, so the
 * figure can be checked and redone when prices change.
 */
export const PRICES = {
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: 0.0000133334,
  httpApiPerMillionRequests: 1.0,
  sqsPerMillionRequests: 0.4,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  kmsPerTenThousandRequests: 0.03,
} as const;

/** What the estimate assumes beyond the counted requests. */
export const ASSUMPTIONS = {
  /** One DynamoDB or SQS call from a Lambda in the same region. */
  awsCallMs: 8,
  /** Records per delivery invocation (the SQS event source's batch). */
  deliveryBatch: 10,
  /** Stream records per traffic invocation at national volume (the batching window fills it). */
  trafficBatch: 100,
} as const;

export interface Cost {
  perMillionReferralsUsd: number;
  /** Each part of the figure, per million referrals. */
  parts: { what: string; usd: number }[];
  writeUnitsPerWrite: number;
}

/** Write units one write of a referral's item costs: the item, and each index it is projected into. */
function writeUnitsPerWrite(): number {
  const bundle = referralMessage();
  const body = packBody(bundle).body.length;
  // The record (status, route, destination, timeline) is about as large as the readable message's header and focus.
  const record = JSON.stringify(bundle).length * 0.6;
  const item = Math.ceil((record + body + 400) / 1024);
  // A referral in a mailbox appears in the indexes projecting its record (sender, receiver, status, case, listing,
  // patient, mailbox, and while watched, due); each index write is charged by the projected size.
  const projecting = MESSAGES_TABLE.indexes.filter((i) => i.projectedAttributes.includes('record')).length;
  const indexed = Math.min(projecting, 8);
  return item + indexed * Math.ceil((record + 200) / 1024);
}

/** 4. The cost of a million referrals on AWS, from the requests counted in the end-to-end run. */
export function costPerMillion(
  requests: readonly RequestCount[],
  ingestMemoryMb: number,
  deliverMemoryMb: number,
): Cost {
  const count = (service: string, operations: string[], where: (r: RequestCount) => boolean = () => true) =>
    requests
      .filter((r) => r.service === service && operations.includes(r.operation) && where(r))
      .reduce((sum, r) => sum + r.perReferral, 0);
  const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];
  // A message's writes carry its record into the indexes; the other tables' (counters, permits) are one unit each.
  const messageWrites = count('DynamoDB', WRITES, (r) => r.resource === 'messages');
  const otherWrites = count('DynamoDB', WRITES, (r) => r.resource !== 'messages');
  const reads = count('DynamoDB', ['GetItem', 'Query', 'Scan', 'BatchGetItem']);
  const sqs = count('SQS', [
    'SendMessage',
    'ReceiveMessage',
    'DeleteMessageBatch',
    'DeleteMessage',
    'ChangeMessageVisibility',
  ]);
  const kms = count('KMS', ['GetPublicKey', 'Sign', 'Verify']);
  const units = writeUnitsPerWrite();
  const million = 1_000_000;
  // Ingest: its own calls (store, enqueue, a share of a permit lease); a delivery: its calls, a tenth of a batch.
  const ingestSeconds = (3 * ASSUMPTIONS.awsCallMs) / 1000;
  const deliverSeconds = (3 * ASSUMPTIONS.awsCallMs) / 1000;
  const gbSeconds = (ingestMemoryMb / 1024) * ingestSeconds + (deliverMemoryMb / 1024) * deliverSeconds;
  const invocations = 1 + 1 / ASSUMPTIONS.deliveryBatch + 1 / ASSUMPTIONS.trafficBatch;
  const parts = [
    { what: 'API Gateway HTTP API (1 request)', usd: PRICES.httpApiPerMillionRequests },
    {
      what: `Lambda requests (${round(invocations, 2)} invocations)`,
      usd: invocations * PRICES.lambdaPerMillionRequests,
    },
    { what: `Lambda compute (${round(gbSeconds, 3)} GB-s)`, usd: gbSeconds * million * PRICES.lambdaPerGbSecond },
    { what: `SQS (${round(sqs, 2)} requests)`, usd: sqs * PRICES.sqsPerMillionRequests },
    {
      what: `DynamoDB message writes (${round(messageWrites, 2)} writes of ${units} write units, indexes included)`,
      usd: messageWrites * units * PRICES.dynamoPerMillionWriteUnits,
    },
    {
      what: `DynamoDB other writes (${round(otherWrites, 2)} writes of 1 write unit)`,
      usd: otherWrites * PRICES.dynamoPerMillionWriteUnits,
    },
    { what: `DynamoDB reads (${round(reads, 2)} reads)`, usd: reads * PRICES.dynamoPerMillionReadUnits },
    { what: `KMS (${round(kms, 3)} requests)`, usd: kms * 100 * PRICES.kmsPerTenThousandRequests },
  ].map((p) => ({ ...p, usd: round(p.usd, 2) }));
  return {
    perMillionReferralsUsd: round(
      parts.reduce((sum, p) => sum + p.usd, 0),
      2,
    ),
    parts,
    writeUnitsPerWrite: units,
  };
}
