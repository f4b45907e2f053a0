import type { RequestCount } from './end-to-end.js';
import { round } from './measure.js';
import type { WriteUnits } from './write-units.js';

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
}

/** 4. The cost of a million referrals on AWS: the requests counted in the end-to-end run, the write units metered. */
export function costPerMillion(
  requests: readonly RequestCount[],
  writeUnits: WriteUnits,
  ingestMemoryMb: number,
  deliverMemoryMb: number,
): Cost {
  const count = (service: string, operations: string[]) =>
    requests
      .filter((r) => r.service === service && operations.includes(r.operation))
      .reduce((sum, r) => sum + r.perReferral, 0);
  // A read of up to 4 KB is one read unit (half that when eventually consistent): counted as one, the dearer case.
  const reads = count('DynamoDB', ['GetItem', 'Query', 'Scan', 'BatchGetItem']);
  const sqs = count('SQS', [
    'SendMessage',
    'ReceiveMessage',
    'DeleteMessageBatch',
    'DeleteMessage',
    'ChangeMessageVisibility',
  ]);
  const kms = count('KMS', ['GetPublicKey', 'Sign', 'Verify']);
  const million = 1_000_000;
  // Ingest: its own calls (store, enqueue, a share of a permit lease); a delivery: its calls, a tenth of a batch.
  const ingestSeconds = (3 * ASSUMPTIONS.awsCallMs) / 1000;
  const deliverSeconds = (3 * ASSUMPTIONS.awsCallMs) / 1000;
  const gbSeconds = (ingestMemoryMb / 1024) * ingestSeconds + (deliverMemoryMb / 1024) * deliverSeconds;
  const invocations = 1 + 1 / ASSUMPTIONS.deliveryBatch + 1 / ASSUMPTIONS.trafficBatch;
  const writes = writeUnits.writes.map((w) => ({
    what: `DynamoDB ${w.table} ${w.operation} (${w.perReferral} a referral: ${w.tableUnits} table + ${w.indexUnits} index write units, metered)`,
    usd: (w.tableUnits + w.indexUnits) * PRICES.dynamoPerMillionWriteUnits,
  }));
  const parts = [
    { what: 'API Gateway HTTP API (1 request)', usd: PRICES.httpApiPerMillionRequests },
    {
      what: `Lambda requests (${round(invocations, 2)} invocations)`,
      usd: invocations * PRICES.lambdaPerMillionRequests,
    },
    { what: `Lambda compute (${round(gbSeconds, 3)} GB-s)`, usd: gbSeconds * million * PRICES.lambdaPerGbSecond },
    { what: `SQS (${round(sqs, 2)} requests)`, usd: sqs * PRICES.sqsPerMillionRequests },
    ...writes,
    { what: `DynamoDB reads (${round(reads, 2)} reads)`, usd: reads * PRICES.dynamoPerMillionReadUnits },
    { what: `KMS (${round(kms, 3)} requests)`, usd: kms * 100 * PRICES.kmsPerTenThousandRequests },
  ].map((p) => ({ ...p, usd: round(p.usd, 2) }));
  return {
    perMillionReferralsUsd: round(
      parts.reduce((sum, p) => sum + p.usd, 0),
      2,
    ),
    parts,
  };
}
