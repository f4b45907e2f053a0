import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { BadRequestError, issue } from '../../core/errors.js';
import type { MessageBundle } from '../../core/fhir/bundle.js';
import type { MessageRecord, MessageStatus } from '../../core/lifecycle/message-record.js';
import { assertConditional } from '../../core/lifecycle/transitions.js';
import type { MessageChange, MessageStore, Page } from '../../core/ports.js';
import { LISTING_SHARDS } from './resources.js';

/**
 * Messages in DynamoDB: one item per message holding the record (a map, projected into the indexes), the key
 * attributes the indexes need, and the Bundle gzipped. One item, so creating it is the single atomic step that
 * both stores the message and claims its identity.
 */
export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: MessageRecord, bundle: MessageBundle): Promise<'created' | 'duplicate'> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            messageId: record.messageId,
            senderOrganisation: record.senderOrganisation,
            correlationId: record.correlationId,
            createdAt: record.createdAt,
            listShard: listShardOf(record.messageId),
            status: record.status,
            updatedAt: record.updatedAt,
            record,
            body: gzipSync(JSON.stringify(bundle)),
          },
          ConditionExpression: 'attribute_not_exists(messageId)',
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw error;
    }
  }

  async get(messageId: string): Promise<MessageRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { messageId },
        ProjectionExpression: '#record',
        ExpressionAttributeNames: { '#record': 'record' },
        ConsistentRead: true,
      }),
    );
    return Item?.record as MessageRecord | undefined;
  }

  async getBundle(messageId: string): Promise<MessageBundle | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { messageId },
        ProjectionExpression: 'body',
        ConsistentRead: true,
      }),
    );
    const body = Item?.body as Uint8Array | undefined;
    return body ? (JSON.parse(gunzipSync(body).toString('utf8')) as MessageBundle) : undefined;
  }

  async update(messageId: string, change: MessageChange): Promise<MessageRecord | undefined> {
    assertConditional(change);
    const names: Record<string, string> = { '#record': 'record', '#messageId': 'messageId' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const conditions = ['attribute_exists(#messageId)'];
    const setField = (field: keyof MessageRecord, value: unknown) => {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#record.#${field} = :${field}`);
    };
    if (change.events.length > 0) {
      names['#timeline'] = 'timeline';
      values[':events'] = change.events;
      sets.push('#record.#timeline = list_append(#record.#timeline, :events)');
    }
    if (change.status !== undefined) {
      // updatedAt means "in this status since": events alone do not move it, so the sweep sees stuck messages.
      names['#status'] = 'status';
      names['#updatedAt'] = 'updatedAt';
      values[':status'] = change.status;
      values[':updatedAt'] = change.at.toISOString();
      sets.push(
        '#status = :status',
        '#record.#status = :status',
        '#updatedAt = :updatedAt',
        '#record.#updatedAt = :updatedAt',
      );
    }
    for (const field of ['attempts', 'outcome', 'outcomeReason', 'destination', 'replays'] as const) {
      if (change[field] !== undefined) setField(field, change[field]);
    }
    if (change.mailbox !== undefined) {
      names['#mailbox'] = 'mailbox';
      if (change.mailbox === null) removes.push('#mailbox');
      else {
        values[':mailbox'] = change.mailbox;
        sets.push('#mailbox = :mailbox');
      }
    }
    const expect = change.expect ?? {};
    if (expect.status !== undefined) {
      names['#status'] = 'status';
      values[':expectStatus'] = expect.status;
      conditions.push('#status = :expectStatus');
    }
    if (expect.attempts !== undefined) {
      names['#attempts'] = 'attempts';
      values[':expectAttempts'] = expect.attempts;
      conditions.push('#record.#attempts = :expectAttempts');
    }
    if (expect.outcome !== undefined) {
      names['#outcome'] = 'outcome';
      if (expect.outcome === 'none') conditions.push('attribute_not_exists(#record.#outcome)');
      else {
        values[':expectOutcome'] = expect.outcome;
        conditions.push('#record.#outcome = :expectOutcome');
      }
    }
    const expression = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (!expression) return this.get(messageId);
    // DynamoDB refuses a name no expression uses (a change of the mailbox alone touches no record field).
    if (!`${expression} ${conditions.join(' ')}`.includes('#record')) delete names['#record'];
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { messageId },
          UpdateExpression: expression,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes?.record as MessageRecord | undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  listBySender(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.query(
      {
        IndexName: 'bySender',
        KeyConditionExpression: 'senderOrganisation = :key',
        ExpressionAttributeValues: { ':key': organisation },
        ScanIndexForward: false,
      },
      limit,
      cursor,
    );
  }

  listByStatus(
    status: MessageStatus,
    limit: number,
    cursor?: string,
    updatedBefore?: Date,
  ): Promise<Page<MessageRecord>> {
    return updatedBefore
      ? this.query(
          {
            IndexName: 'byStatus',
            KeyConditionExpression: '#status = :key AND updatedAt < :before',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':key': status, ':before': updatedBefore.toISOString() },
            ScanIndexForward: true,
          },
          limit,
          cursor,
        )
      : this.query(
          {
            IndexName: 'byStatus',
            KeyConditionExpression: '#status = :key',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':key': status },
            ScanIndexForward: false,
          },
          limit,
          cursor,
        );
  }

  listByCorrelation(correlationId: string, limit: number): Promise<Page<MessageRecord>> {
    return this.query(
      {
        IndexName: 'byCorrelation',
        KeyConditionExpression: 'correlationId = :key',
        ExpressionAttributeValues: { ':key': correlationId },
        ScanIndexForward: true,
      },
      limit,
    );
  }

  listMailbox(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.query(
      {
        IndexName: 'byMailbox',
        KeyConditionExpression: 'mailbox = :key',
        ExpressionAttributeValues: { ':key': organisation },
        ScanIndexForward: true,
      },
      limit,
      cursor,
    );
  }

  /**
   * Every message in the given statuses, read from the table itself (consistent) rather than an index. For the
   * local hub's recovery at start, where the table is small and nothing may be missed.
   */
  async scanByStatus(statuses: readonly MessageStatus[]): Promise<MessageRecord[]> {
    const records: MessageRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          ExclusiveStartKey: start,
          FilterExpression: `#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`,
          ProjectionExpression: '#record',
          ExpressionAttributeNames: { '#status': 'status', '#record': 'record' },
          ExpressionAttributeValues: Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s])),
        }),
      );
      records.push(...(page.Items ?? []).map((item) => item.record as MessageRecord));
      start = page.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /**
   * Every message, newest first: each shard of the byShard index is read from where the cursor left it, the pages
   * merged, and the cursor remembers per shard the last item handed out (or that the shard is exhausted).
   */
  async listAll(limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    const positions = cursor ? decodeCursor<ShardPositions>(cursor) : {};
    const pages = await Promise.all(
      Array.from({ length: LISTING_SHARDS }, async (_, shard) => {
        const position = positions[shard];
        if (position === 'done') return { shard, items: [] as Record<string, unknown>[], more: false };
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'byShard',
            KeyConditionExpression: 'listShard = :shard',
            ExpressionAttributeValues: { ':shard': String(shard) },
            ScanIndexForward: false,
            Limit: limit,
            ...(position ? { ExclusiveStartKey: position } : {}),
          }),
        );
        return { shard, items: page.Items ?? [], more: page.LastEvaluatedKey !== undefined };
      }),
    );
    const merged = pages
      .flatMap((page) => page.items.map((item) => ({ shard: page.shard, item })))
      .sort((a, b) => newestFirst(a.item, b.item))
      .slice(0, limit);
    const next: ShardPositions = {};
    for (const page of pages) {
      const taken = merged.filter((m) => m.shard === page.shard);
      const last = taken.at(-1)?.item;
      if (positions[page.shard] === 'done' || (taken.length === page.items.length && !page.more)) {
        next[page.shard] = 'done';
      } else if (last) {
        next[page.shard] = { messageId: last.messageId, listShard: last.listShard, createdAt: last.createdAt };
      } else if (positions[page.shard]) next[page.shard] = positions[page.shard]!;
    }
    const finished = Array.from({ length: LISTING_SHARDS }, (_, shard) => next[shard] === 'done').every(Boolean);
    return {
      items: merged.map((m) => m.item.record as MessageRecord),
      ...(finished ? {} : { cursor: encodeCursor(next) }),
    };
  }

  private async query(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit: number,
    cursor?: string,
  ): Promise<Page<MessageRecord>> {
    const { Items, LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        ...input,
        TableName: this.tableName,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor<Record<string, unknown>>(cursor) } : {}),
      }),
    );
    return {
      items: (Items ?? []).map((item) => item.record as MessageRecord),
      ...(LastEvaluatedKey ? { cursor: encodeCursor(LastEvaluatedKey) } : {}),
    };
  }
}

/** Per shard of the listing index: where the last page stopped, or that the shard has nothing more. */
type ShardPositions = Record<number, Record<string, unknown> | 'done'>;

function newestFirst(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return (
    String(b.createdAt).localeCompare(String(a.createdAt)) || String(b.messageId).localeCompare(String(a.messageId))
  );
}

/** The listing shard of a message: spread evenly by its identity. */
export function listShardOf(messageId: string): string {
  return String(createHash('sha256').update(messageId).digest()[0]! % LISTING_SHARDS);
}

function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** A cursor the hub did not hand out is a bad request, never a crash. */
function decodeCursor<T>(cursor: string): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as T;
  } catch {
    // reported below
  }
  throw new BadRequestError('Bad cursor', [
    issue('invalid', 'cursor must be the "next" value of a previous page, unchanged', 'cursor'),
  ]);
}
