import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { bodyExpiresAt } from '../functions/lib/message-store/items.js';
import type { TableDefinition } from '../functions/lib/storage.js';

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

/** Resolves once a deleted table is gone: dynalite deletes a table a moment after it is asked to. */
export async function whenDeleted(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  for (let check = 0; check < TABLE_ACTIVE_CHECKS; check++) {
    try {
      await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, TABLE_ACTIVE_PAUSE_MS));
  }
  throw new Error(`table ${tableName} was not deleted`);
}

/** Items one BatchWriteItem puts (DynamoDB's most). */
const BATCH_WRITE_ITEMS = 25;

type Item = Record<string, AttributeValue>;

/**
 * What an item written by an earlier version of the hub lacks for today's indexes: a Task's place in ops' Task
 * listing, a message's service (what a week's capacity counts), an alert's time in its state's listing.
 */
function upgraded(item: Item): Item {
  const record = item.record?.M;
  const serviceId = record?.destination?.M?.serviceId;
  return {
    ...item,
    ...(item.taskRequester && item.listShard && !item.taskShard ? { taskShard: item.listShard } : {}),
    ...(record && serviceId && !item.serviceId ? { serviceId } : {}),
    ...(item.state && !item.alertAt ? { alertAt: item.clearedAt ?? item.raisedAt! } : {}),
  };
}

/**
 * A table kept in a data directory by an earlier version of the hub whose indexes differ from today's: dynalite
 * cannot add an index to a table, so the table is read out, made again with today's indexes and written back, each
 * item given what today's indexes key it by. Local data only: on AWS, CloudFormation changes the indexes.
 */
export async function upgradeTable(
  dynamo: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
): Promise<boolean> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const has = (Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort();
  const wanted = definition.indexes.map((i) => i.name).sort();
  if (JSON.stringify(has) === JSON.stringify(wanted)) return false;
  const items = await scanAll(dynamo, { TableName: tableName });
  await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
  await whenDeleted(dynamo, tableName);
  await dynamo.send(new CreateTableCommand(createTableInput(definition, tableName)));
  await whenActive(dynamo, tableName);
  await putAll(dynamo, tableName, items.map(upgraded));
  console.log(`${tableName}: ${items.length} items moved to today's indexes (${wanted.join(', ')})`);
  return true;
}

/** What a message item of an earlier version held of its body, all of it now in the bodies table. */
const INLINE_BODY = ['body', 'bodyEncoding', 'bodyShard', 'bodyExpiresAt'];

/**
 * Messages kept in a data directory by a version of the hub that held each Bundle in the message's own item: each
 * body is moved to the bodies table, as today's hub writes it (with when it was stored, and its retention).
 */
export async function moveInlineBodies(dynamo: DynamoDBClient, messagesTable: string, bodiesTable: string) {
  const items = await scanAll(dynamo, { TableName: messagesTable, FilterExpression: 'attribute_exists(body)' });
  const bodyOf = (item: Item): Item => ({
    messageId: item.messageId!,
    storedAt: { N: String(Date.parse(item.createdAt!.S!)) },
    expiresAt: { N: String(bodyExpiresAt(item.createdAt!.S!)) },
    body: item.body!,
    ...(item.bodyEncoding ? { bodyEncoding: item.bodyEncoding } : {}),
  });
  await putAll(dynamo, bodiesTable, items.map(bodyOf));
  const withoutBody = (item: Item) =>
    Object.fromEntries(Object.entries(item).filter(([k]) => !INLINE_BODY.includes(k)));
  await putAll(dynamo, messagesTable, items.map(withoutBody));
  if (items.length) console.log(`${messagesTable}: ${items.length} message bodies moved to ${bodiesTable}`);
}

/**
 * After a kill: the messages whose index entries the killed hub may have left out of step, written again as they are,
 * so dynalite makes their entries again. dynalite removes an item's old index entries, writes its new ones, and then
 * the item: a process killed between the steps leaves the item in none of its indexes' entries for the state it is in
 * (DynamoDB never does). So every message changed since the killed hub started is written again, and every message
 * waiting on someone (`waiting`: the hub's delivery, a team's inbox, ops' failed list) however long ago it last
 * changed, since the change cut short may be the one that would have moved it on. The chaos run caught referrals
 * stored but missing from the status index. Returns the identities of the items written.
 */
export async function rewriteAfterKill(
  dynamo: DynamoDBClient,
  tableName: string,
  since: string,
  waiting: readonly string[],
): Promise<Set<string>> {
  const statuses = Object.fromEntries(waiting.map((status, i) => [`:waiting${i}`, { S: status }]));
  const items = await scanAll(dynamo, {
    TableName: tableName,
    ConsistentRead: true,
    FilterExpression: `updatedAt >= :since OR #status IN (${Object.keys(statuses).join(', ')})`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':since': { S: since }, ...statuses },
  });
  await putAll(dynamo, tableName, items);
  return new Set(items.map((item) => item.messageId?.S ?? ''));
}

/**
 * After a kill: the bodies stored since `since` whose records were never written (the killed hub died between the
 * two writes), removed, so their senders' retries are stored at once rather than after the abandoned body's wait.
 * A record written since then was changed since then: `recordsSince` (rewriteAfterKill's) holds every one.
 */
export async function removeBodiesWithoutRecords(
  dynamo: DynamoDBClient,
  bodiesTable: string,
  since: string,
  recordsSince: ReadonlySet<string>,
): Promise<number> {
  const stored = await scanAll(dynamo, {
    TableName: bodiesTable,
    ConsistentRead: true,
    ProjectionExpression: 'messageId',
    FilterExpression: 'storedAt >= :since',
    ExpressionAttributeValues: { ':since': { N: String(Date.parse(since)) } },
  });
  const alone = stored.filter(({ messageId }) => !recordsSince.has(messageId!.S!));
  for (const { messageId } of alone) {
    await dynamo.send(new DeleteItemCommand({ TableName: bodiesTable, Key: { messageId: messageId! } }));
  }
  return alone.length;
}

/** Every item a scan finds, page after page (local data only: never on AWS, where a scan reads the whole table). */
async function scanAll(dynamo: DynamoDBClient, input: ScanCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Items written in batches, again until DynamoDB has taken every one. */
async function putAll(dynamo: DynamoDBClient, tableName: string, items: readonly Item[]) {
  for (let from = 0; from < items.length; from += BATCH_WRITE_ITEMS) {
    let requests = items.slice(from, from + BATCH_WRITE_ITEMS).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await dynamo.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}
