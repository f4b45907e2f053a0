import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DELIVERY_QUEUE, TABLES, type TableDefinition } from '../functions/lib/storage.js';

/** Credentials and region the embedded services accept (they check neither). */
export const LOCAL_AWS = {
  region: 'eu-west-2',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

export interface EmbeddedServices {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableNames: Record<string, string>;
  deliveryQueueUrl: string;
  deadLetterQueueUrl: string;
  stop(): Promise<void>;
}

/** The CreateTable request for a table definition: the same keys and indexes the CDK stack deploys. */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  for (const key of [
    definition.partitionKey,
    definition.sortKey,
    ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    if (key) attributes.set(key.name, key.type);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(definition.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
              ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: index.projectedAttributes.length
              ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: index.projectedAttributes }
              : { ProjectionType: 'KEYS_ONLY' as const },
          })),
        }
      : {}),
  };
}

/** Checks of a new table's status before giving up on it becoming active, and the pause between them. */
const TABLE_ACTIVE_CHECKS = 200;
const TABLE_ACTIVE_PAUSE_MS = 25;

/** Resolves once the table takes reads and writes: dynalite makes a new table active a turn of its loop later. */
export async function whenActive(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  for (let check = 0; check < TABLE_ACTIVE_CHECKS; check++) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, TABLE_ACTIVE_PAUSE_MS));
  }
  throw new Error(`table ${tableName} did not become active`);
}

/**
 * Starts dynalite (DynamoDB) and fauxqs (SQS) on a worker thread of this process, on free loopback ports, and creates
 * the hub's tables and queues from functions/lib/storage.ts. With `dataDir`, DynamoDB state is kept on disk across
 * restarts; queues are in memory (fauxqs 1.x), which is why pending messages are re-enqueued from DynamoDB at start.
 */
/**
 * How long the local delivery queue hides a record a worker holds. AWS's is 6x the worker's timeout (Lambda's event
 * source can retry a throttled batch); the local pollers are never throttled, and a record whose worker died comes
 * back sooner, as the local delivery policy's seconds do.
 */
export const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 90;

export async function startEmbeddedServices(options: { dataDir?: string } = {}): Promise<EmbeddedServices> {
  const emulators = new Worker(new URL('./emulators-worker.mjs', import.meta.url), {
    workerData: { dataDir: options.dataDir },
  });
  const ports = await new Promise<{ dynamoPort: number; sqsPort: number }>((resolve, reject) => {
    emulators.once('message', resolve);
    emulators.once('error', reject);
  });
  const dynamoEndpoint = `http://127.0.0.1:${ports.dynamoPort}`;
  const sqsEndpoint = `http://127.0.0.1:${ports.sqsPort}`;

  const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoEndpoint });
  const tableNames: Record<string, string> = {};
  for (const table of TABLES) {
    const tableName = `pcn-hub-${table.id.toLowerCase()}`;
    tableNames[table.envVar] = tableName;
    try {
      await dynamo.send(new CreateTableCommand(createTableInput(table, tableName)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error; // kept from the last run
    }
    await whenActive(dynamo, tableName);
  }
  dynamo.destroy();

  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: sqsEndpoint, useQueueUrlAsEndpoint: false });
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'pcn-hub-delivery-dlq',
      Attributes: { MessageRetentionPeriod: String(DELIVERY_QUEUE.deadLetterRetentionSeconds) },
    }),
  );
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  const delivery = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'pcn-hub-delivery',
      Attributes: {
        VisibilityTimeout: String(LOCAL_VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: DELIVERY_QUEUE.maxReceiveCount }),
      },
    }),
  );
  sqs.destroy();

  return {
    dynamoEndpoint,
    sqsEndpoint,
    tableNames,
    deliveryQueueUrl: delivery.QueueUrl!,
    deadLetterQueueUrl: dlq.QueueUrl!,
    async stop() {
      const stopped = new Promise((resolve) => emulators.once('message', resolve));
      emulators.postMessage('stop');
      await stopped;
      await emulators.terminate();
    },
  };
}
