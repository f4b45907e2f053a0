import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DELIVERY_QUEUE, MESSAGE_BODIES_TABLE, MESSAGES_TABLE, TABLES } from '../functions/lib/storage.js';
import { createTableInput, moveInlineBodies, upgradeTable, whenActive } from './local-tables.js';

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
  const upgraded = new Set<string>();
  for (const table of TABLES) {
    const tableName = `pcn-hub-${table.id.toLowerCase()}`;
    tableNames[table.envVar] = tableName;
    try {
      await dynamo.send(new CreateTableCommand(createTableInput(table, tableName)));
      await whenActive(dynamo, tableName);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      // Kept from the last run: made again if an earlier version of the hub gave it other indexes.
      await whenActive(dynamo, tableName);
      if (await upgradeTable(dynamo, table, tableName)) upgraded.add(table.envVar);
    }
  }
  if (upgraded.has(MESSAGES_TABLE.envVar))
    await moveInlineBodies(dynamo, tableNames[MESSAGES_TABLE.envVar]!, tableNames[MESSAGE_BODIES_TABLE.envVar]!);
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
