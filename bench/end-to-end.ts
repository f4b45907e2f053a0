import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { attributeValues } from '../functions/lib/attribute-values.js';
import type { SdkClient } from '../functions/lib/aws-hub.js';
import { TRAFFIC_BATCH_WINDOW_SECONDS } from '../functions/lib/lambdas.js';
import { packBody } from '../functions/lib/message-body.js';
import { MESSAGE_BODIES_TABLE, MESSAGES_TABLE } from '../functions/lib/storage.js';
import { LOCAL_AWS, startEmbeddedServices } from '../local/embedded.js';
import { type LocalHub, startLocalHub } from '../local/hub.js';
import { SAMPLE_PRACTICE } from '../local/identities.js';
import { referralMessage } from '../local/sample-messages.js';
import { percentile, round } from './measure.js';

/** Referrals sent in the measured run, and concurrent senders. */
const REFERRALS = 1500;
const SENDERS = 32;
/** Referrals sent first and not measured (JIT, caches, connections). */
const WARM_UP = 100;
/** Delivery workers the floor runs beside its senders (the local hub's pollers, as the event source mapping). */
const FLOOR_WORKERS = 4;

export interface RequestCount {
  service: string;
  operation: string;
  /** The table or queue it went to (its name without the local prefix), when it names one. */
  resource: string;
  perReferral: number;
}

export interface EndToEnd {
  referrals: number;
  senders: number;
  referralsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The raw DynamoDB and SQS calls one referral needs, made directly on the same emulators, at the same concurrency. */
  floorReferralsPerSecond: number;
  ratioToFloor: number;
  /** Every AWS request the hub made during the measured run, per referral, by service and operation. */
  requests: RequestCount[];
  requestsPerReferral: number;
}

/** The table or queue a request names: `pcn-hub-messages` is `messages`, a queue URL its last part. */
function resourceOf(args: unknown): string {
  const input = (args as { input?: { TableName?: string; QueueUrl?: string } }).input;
  const name = input?.TableName ?? input?.QueueUrl?.split('/').pop() ?? '-';
  return name.replace(/^pcn-hub-/, '');
}

/** Counts every request an SDK client sends, by service, operation and resource (a middleware at the start of its stack). */
function countRequests(clients: readonly SdkClient[], counts: Map<string, number>) {
  for (const client of clients) {
    (client.middlewareStack as { add: (m: unknown, o: unknown) => void }).add(
      (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
        (args: unknown) => {
          const key = `${context.clientName?.replace(/Client$/, '') ?? 'AWS'} ${context.commandName?.replace(/Command$/, '') ?? '?'} ${resourceOf(args)}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return next(args);
        },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
  }
}

async function sendAll(hub: LocalHub, count: number, latencies: number[]) {
  const headers = { 'content-type': 'application/fhir+json', ...(await hub.tokens.headers(SAMPLE_PRACTICE, 'sender')) };
  const bodies = Array.from({ length: count }, () =>
    JSON.stringify(referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' })),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const sent = performance.now();
        const response = await fetch(`${hub.baseUrl}/$process-message`, {
          method: 'POST',
          headers: { ...headers, 'x-request-id': crypto.randomUUID(), 'x-correlation-id': crypto.randomUUID() },
          body,
        });
        await response.text();
        if (response.status !== 202) throw new Error(`HTTP ${response.status}`);
        latencies.push(performance.now() - sent);
      }
    }),
  );
}

/** Resolves once `total` referrals are in the receiver's mailbox (read from the hub's own metric: no extra request). */
async function allDelivered(hub: LocalHub, total: number) {
  while ((hub.metrics.get('DeliveredToMailbox') ?? 0) < total) await new Promise((r) => setTimeout(r, 20));
}

/** The hub itself: HTTP ingest to the receiver's mailbox, every request it makes counted. */
async function hubRun() {
  // One sender at full speed: its request rate is not what is measured here.
  // Its Messages stream batched as on AWS, so the traffic counter writes counted are AWS's.
  const hub = await startLocalHub({
    port: 0,
    receiversPort: false,
    requestsPerWindow: 1_000_000,
    streamBatchMs: TRAFFIC_BATCH_WINDOW_SECONDS * 1000,
  });
  try {
    await sendAll(hub, WARM_UP, []);
    await allDelivered(hub, WARM_UP);
    const counts = new Map<string, number>();
    countRequests(hub.sdkClients, counts);
    const latencies: number[] = [];
    const start = performance.now();
    await sendAll(hub, REFERRALS, latencies);
    await allDelivered(hub, WARM_UP + REFERRALS);
    const seconds = (performance.now() - start) / 1000;
    return { seconds, latencies, counts };
  } finally {
    await hub.stop();
  }
}

/**
 * The floor: what one referral costs the emulators at the least, without the hub: the message stored (its body, then
 * its record) and its id queued; a worker receives a batch, places each message in the mailbox (one conditional write) and deletes the
 * batch. The same calls, item shapes and sizes as the hub's, the same concurrency.
 */
async function floorRun(): Promise<number> {
  const services = await startEmbeddedServices();
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint }));
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: services.sqsEndpoint, useQueueUrlAsEndpoint: false });
  const table = services.tableNames[MESSAGES_TABLE.envVar]!;
  const bodies = services.tableNames[MESSAGE_BODIES_TABLE.envVar]!;
  const queue = services.deliveryQueueUrl;
  try {
    const body = packBody(referralMessage());
    const record = referralMessage(); // a record of about the size the hub keeps beside the body
    // From the state the ingest left it in, as the hub's.
    const placeInMailbox = (messageId: string) =>
      db.send(
        new UpdateCommand({
          TableName: table,
          Key: { messageId },
          UpdateExpression: 'SET #status = :to',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': 'in-mailbox', ':from': 'accepted' },
        }),
      );
    let sent = 0;
    let delivered = 0;
    const start = performance.now();
    const senders = Array.from({ length: SENDERS }, async () => {
      while (sent < REFERRALS) {
        const messageId = `floor-${sent++}`;
        const at = new Date().toISOString();
        // Marshalled as the hub marshals its items: the floor pays no more for them than the hub does.
        await db.send(
          new PutItemCommand({
            TableName: bodies,
            Item: attributeValues({ messageId, requestId: messageId, storedAt: at, ...body }),
            ConditionExpression: 'attribute_not_exists(messageId)',
          }),
        );
        await db.send(
          new PutItemCommand({
            TableName: table,
            Item: attributeValues({
              messageId,
              senderOrganisation: SAMPLE_PRACTICE,
              receiverOrganisation: 'Z9W101',
              createdAt: at,
              updatedAt: at,
              listShard: '0',
              status: 'accepted',
              correlationId: messageId,
              record,
            }),
            ConditionExpression: 'attribute_not_exists(messageId)',
          }),
        );
        await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: JSON.stringify({ messageId }) }));
      }
    });
    const workers = Array.from({ length: FLOOR_WORKERS }, async () => {
      while (delivered < REFERRALS) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        await Promise.all(
          Messages.map(async (m) => {
            await placeInMailbox((JSON.parse(m.Body!) as { messageId: string }).messageId);
            delivered++;
          }),
        );
        if (Messages.length)
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queue,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
      }
    });
    await Promise.all([...senders, ...workers]);
    return REFERRALS / ((performance.now() - start) / 1000);
  } finally {
    db.destroy();
    sqs.destroy();
    await services.stop();
  }
}

/** 3 and 4. The whole local hub against its floor, and the AWS requests one referral costs. */
export async function endToEnd(): Promise<EndToEnd> {
  const floor = await floorRun();
  const { seconds, latencies, counts } = await hubRun();
  const referralsPerSecond = REFERRALS / seconds;
  const requests = [...counts.entries()]
    .map(([key, n]) => {
      const [service, operation, resource] = key.split(' ') as [string, string, string];
      return { service, operation, resource, perReferral: round(n / REFERRALS, 3) };
    })
    .sort((a, b) => b.perReferral - a.perReferral);
  return {
    referrals: REFERRALS,
    senders: SENDERS,
    referralsPerSecond: round(referralsPerSecond),
    p50Ms: round(percentile(latencies, 0.5)),
    p95Ms: round(percentile(latencies, 0.95)),
    p99Ms: round(percentile(latencies, 0.99)),
    floorReferralsPerSecond: round(floor),
    ratioToFloor: round(floor / referralsPerSecond, 2),
    requests,
    requestsPerReferral: round([...counts.values()].reduce((a, b) => a + b, 0) / REFERRALS, 2),
  };
}
