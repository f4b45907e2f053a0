import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Alert,
  AlertAcknowledgement,
  AlertCondition,
  TrafficDimension,
  TrafficIncrement,
  TrafficRow,
} from '../../core/operations.js';
import type { OperationsStore, Page } from '../../core/ports.js';
import { TRAFFIC_SHARDS } from '../../core/services/traffic.js';
import type { CursorCodec } from './cursors.js';
import { ONCE_MARK_DAYS, OPERATIONS_KEYS, TRAFFIC_RETENTION_DAYS } from './storage.js';

/** Counter attributes carry this prefix (DynamoDB's ADD works on top-level attributes only). */
const COUNTER = 'n:';
/** Counter writes in flight at once from one batch. */
const WRITE_CONCURRENCY = 8;

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
const sortKey = (d: TrafficDimension) => [d.hour, d.network, d.category, d.service, d.destination].join('|');

function dimensionOf(sk: string): TrafficDimension {
  const [hour, network, category, service, destination] = sk.split('|') as [string, string, string, string, string];
  return { hour, network, category, service, destination };
}

/** The days from one ISO hour to another, inclusive (yyyy-mm-dd). */
function daysBetween(fromHour: string, toHour: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${fromHour.slice(0, 10)}T00:00:00Z`); t <= Date.parse(`${toHour}:00:00Z`); t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** An alert as stored (its key is the item's sort key). */
const alertOf = (item: Record<string, unknown>): Alert => ({
  key: item.sk as string,
  kind: item.kind as Alert['kind'],
  summary: item.summary as string,
  state: item.state as Alert['state'],
  raisedAt: item.raisedAt as string,
  ...(item.clearedAt ? { clearedAt: item.clearedAt as string } : {}),
  ...(item.messageId ? { messageId: item.messageId as string } : {}),
  ...(item.serviceId ? { serviceId: item.serviceId as string } : {}),
  ...(item.acknowledged ? { acknowledged: item.acknowledged as AlertAcknowledgement } : {}),
});

/** The Operations table: traffic counters (one item per day, shard, hour and dimension) and alerts. */
export class DynamoOperationsStore implements OperationsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cursors: CursorCodec,
  ) {}

  async addTraffic(increments: readonly TrafficIncrement[]): Promise<void> {
    const queue = [...increments];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await this.add(next);
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, queue.length) }, worker));
  }

  private async add({ shard, dimension, counts }: TrafficIncrement): Promise<void> {
    const names: Record<string, string> = { '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = {
      ':expiresAt': epochSeconds(new Date(`${dimension.hour}:00:00Z`)) + TRAFFIC_RETENTION_DAYS * 86_400,
    };
    const adds = Object.entries(counts).map(([name, value], i) => {
      names[`#c${i}`] = `${COUNTER}${name}`;
      values[`:c${i}`] = value;
      return `#c${i} :c${i}`;
    });
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: OPERATIONS_KEYS.traffic(dimension.hour.slice(0, 10), shard), sk: sortKey(dimension) },
        UpdateExpression: `SET #expiresAt = :expiresAt ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async readTraffic(fromHour: string, toHour: string): Promise<TrafficRow[]> {
    const queries = daysBetween(fromHour, toHour).flatMap((day) =>
      Array.from({ length: TRAFFIC_SHARDS }, (_, shard) =>
        this.queryAll({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': OPERATIONS_KEYS.traffic(day, shard),
            ':from': fromHour,
            ':to': `${toHour}~`,
          },
        }),
      ),
    );
    return (await Promise.all(queries)).flat().map((item) => ({
      dimension: dimensionOf(item.sk as string),
      counts: Object.fromEntries(
        Object.entries(item)
          .filter(([name]) => name.startsWith(COUNTER))
          .map(([name, value]) => [name.slice(COUNTER.length), Number(value)]),
      ),
    }));
  }

  async raiseAlert(condition: AlertCondition, at: Date): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: OPERATIONS_KEYS.alerts, sk: condition.key },
        UpdateExpression:
          'SET #state = :open, raisedAt = :at, alertAt = :at, kind = :kind, summary = :summary, messageId = :messageId, serviceId = :serviceId REMOVE clearedAt, expiresAt, acknowledged',
        ConditionExpression: 'attribute_not_exists(pk) OR #state = :cleared',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':open': 'open',
          ':cleared': 'cleared',
          ':at': at.toISOString(),
          ':kind': condition.kind,
          ':summary': condition.summary,
          ':messageId': condition.messageId ?? null,
          ':serviceId': condition.serviceId ?? null,
        },
      }),
    );
  }

  async clearAlert(key: string, at: Date): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: OPERATIONS_KEYS.alerts, sk: key },
        UpdateExpression: 'SET #state = :cleared, clearedAt = :at, alertAt = :at, expiresAt = :expiresAt',
        ConditionExpression: '#state = :open',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':open': 'open',
          ':cleared': 'cleared',
          ':at': at.toISOString(),
          // A cleared alert is kept a while for the console's "recent" list, then removed by TTL.
          ':expiresAt': epochSeconds(at) + 30 * 86_400,
        },
      }),
    );
  }

  async acknowledgeAlert(key: string, acknowledgement: AlertAcknowledgement): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: OPERATIONS_KEYS.alerts, sk: key },
        UpdateExpression: 'SET acknowledged = :acknowledged',
        ConditionExpression: '#state = :open AND attribute_not_exists(acknowledged)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':open': 'open', ':acknowledged': acknowledgement },
      }),
    );
  }

  async markOnce(key: string, at: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: OPERATIONS_KEYS.once,
            sk: key,
            at: at.toISOString(),
            expiresAt: epochSeconds(at) + ONCE_MARK_DAYS * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async listAlerts(
    state: Alert['state'],
    page: { limit: number; cursor?: string; since?: Date },
  ): Promise<Page<Alert>> {
    // One more than the page: a next cursor only when there is more (DynamoDB's own would lead to an empty page).
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byAlertState',
        KeyConditionExpression: page.since ? '#state = :state AND alertAt >= :since' : '#state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ...(page.since ? { ':since': page.since.toISOString() } : {}) },
        ScanIndexForward: false,
        Limit: page.limit + 1,
        ...(page.cursor ? { ExclusiveStartKey: await this.cursors.open<Record<string, unknown>>(page.cursor) } : {}),
      }),
    );
    const items = Items.slice(0, page.limit);
    const last = items.at(-1);
    const more = Items.length > page.limit && last;
    return {
      items: items.map(alertOf),
      ...(more ? { cursor: await this.cursors.seal({ pk: last.pk, sk: last.sk, state, alertAt: last.alertAt }) } : {}),
    };
  }

  async countOpenAlerts(atMost: number): Promise<number> {
    // DynamoDB counts at most `Limit` items: past the cap, the count costs no more however many are open.
    const { Count = 0 } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byAlertState',
        KeyConditionExpression: '#state = :open',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':open': 'open' },
        Select: 'COUNT',
        Limit: atMost,
      }),
    );
    return Count;
  }

  async getAlert(key: string): Promise<Alert | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: OPERATIONS_KEYS.alerts, sk: key }, ConsistentRead: true }),
    );
    return Item ? alertOf(Item) : undefined;
  }

  private async conditional(command: UpdateCommand): Promise<boolean> {
    try {
      await this.db.send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
