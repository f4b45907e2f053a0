import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MessageBundle } from '../../core/fhir/bundle.js';
import { nhsNumberOf } from '../../core/fhir/patient-index.js';
import type { MessageRecord, MessageStatus } from '../../core/lifecycle/message-record.js';
import { BODY_RETENTION_DAYS, MESSAGE_RETENTION_DAYS } from '../../core/lifecycle/retention.js';
import { assertConditional } from '../../core/lifecycle/transitions.js';
import { CHANGED_FIELDS, type MessageChange, type MessageStore, type Page } from '../../core/ports.js';
import { shardOf } from '../../core/shard.js';
import { attributeValues } from './attribute-values.js';
import type { CursorCodec } from './cursors.js';
import { packBody, unpackBody } from './message-body.js';
import { LISTING_SHARDS, MESSAGES_TABLE } from './resources.js';

/**
 * Messages in DynamoDB: one item per message holding the record (a map, projected into the indexes), the key
 * attributes the indexes need, and the Bundle gzipped. One item, so creating it is the single atomic step that
 * both stores the message and claims its identity.
 */

export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cursors: CursorCodec,
    /** The keyed hash a patient's messages are indexed by (core/fhir/patient-index.ts). */
    private readonly patientKey: (nhsNumber: string) => Promise<string>,
  ) {}

  async create(record: MessageRecord, bundle: MessageBundle, asReceived?: string): Promise<'created' | 'duplicate'> {
    const nhsNumber = nhsNumberOf(bundle);
    const shard = listShardOf(record.messageId);
    try {
      await this.db.send(
        // Marshalled here, not by the document client: this is the one write every message makes.
        new PutItemCommand({
          TableName: this.tableName,
          Item: attributeValues({
            messageId: record.messageId,
            senderOrganisation: record.senderOrganisation,
            receiverOrganisation: record.destination.organisation,
            ...(nhsNumber ? { patientKey: await this.patientKey(nhsNumber) } : {}),
            correlationId: record.correlationId,
            createdAt: record.createdAt,
            listShard: shard,
            // DynamoDB deletes the message (record, timeline and body) once its retention has passed.
            expiresAt: Math.floor(Date.parse(record.createdAt) / 1000) + MESSAGE_RETENTION_DAYS * 86_400,
            ...(record.dueAt ? { dueAt: record.dueAt, dueShard: shard } : {}),
            ...(record.task
              ? { taskRequester: record.senderOrganisation, taskOwner: record.destination.organisation }
              : {}),
            status: record.status,
            updatedAt: record.updatedAt,
            record,
            ...packBody(bundle, asReceived),
            // The body (patient details) goes sooner than the record: the sparse byBodyExpiry index finds it.
            bodyShard: shard,
            bodyExpiresAt: new Date(Date.parse(record.createdAt) + BODY_RETENTION_DAYS * 86_400_000).toISOString(),
          }),
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
        ProjectionExpression: 'body, bodyEncoding',
        ConsistentRead: true,
      }),
    );
    const body = Item?.body as Uint8Array | undefined;
    return body ? unpackBody(body, Item?.bodyEncoding as string | undefined) : undefined;
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
    for (const field of CHANGED_FIELDS) {
      if (change[field] !== undefined) setField(field, change[field]);
    }
    if (change.incrementAttempts) {
      names['#attempts'] = 'attempts';
      values[':one'] = 1;
      sets.push('#record.#attempts = #record.#attempts + :one');
    }
    if (change.destination) {
      // Sent elsewhere (a replay to another service): it is now the other organisation's to list.
      names['#receiverOrganisation'] = 'receiverOrganisation';
      values[':receiverOrganisation'] = change.destination.organisation;
      sets.push('#receiverOrganisation = :receiverOrganisation');
    }
    if (change.overdue !== undefined) {
      // Into the sparse byOverdue index (what ops list as past its deadline), or out of it once settled.
      names['#overdueShard'] = 'overdueShard';
      names['#overdueAt'] = 'overdueAt';
      if (change.overdue) {
        values[':overdueShard'] = listShardOf(messageId);
        values[':overdueAt'] = change.at.toISOString();
        sets.push('#overdueShard = :overdueShard', '#overdueAt = :overdueAt');
      } else removes.push('#overdueShard', '#overdueAt');
    }
    if (change.dueAt) {
      names['#dueAt'] = 'dueAt';
      names['#dueShard'] = 'dueShard';
      values[':dueAt'] = change.dueAt;
      values[':dueShard'] = listShardOf(messageId);
      sets.push('#dueAt = :dueAt', '#dueShard = :dueShard', '#record.#dueAt = :dueAt');
    }
    if (change.clearDue) {
      names['#dueAt'] = 'dueAt';
      names['#dueShard'] = 'dueShard';
      removes.push('#dueAt', '#dueShard');
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
    if (expect.statusIn?.length) {
      names['#status'] = 'status';
      const placeholders = expect.statusIn.map((status, i) => {
        values[`:expectStatus${i}`] = status;
        return `:expectStatus${i}`;
      });
      conditions.push(`#status IN (${placeholders.join(', ')})`);
    }
    if (expect.attempts !== undefined) {
      names['#attempts'] = 'attempts';
      values[':expectAttempts'] = expect.attempts;
      conditions.push('#record.#attempts = :expectAttempts');
    }
    if (expect.taskStatus !== undefined) {
      names['#task'] = 'task';
      names['#taskStatus'] = 'status';
      values[':expectTaskStatus'] = expect.taskStatus;
      conditions.push('#record.#task.#taskStatus = :expectTaskStatus');
    }
    if (expect.due) {
      names['#dueAt'] = 'dueAt';
      conditions.push('attribute_exists(#dueAt)');
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

  listByReceiver(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.query(
      {
        IndexName: 'byReceiver',
        KeyConditionExpression: 'receiverOrganisation = :key',
        ExpressionAttributeValues: { ':key': organisation },
        ScanIndexForward: false,
      },
      limit,
      cursor,
    );
  }

  async listByPatient(nhsNumber: string, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.query(
      {
        IndexName: 'byPatient',
        KeyConditionExpression: 'patientKey = :key',
        ExpressionAttributeValues: { ':key': await this.patientKey(nhsNumber) },
        ScanIndexForward: false,
      },
      limit,
      cursor,
    );
  }

  async countToService(organisation: string, serviceId: string, since: Date): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byReceiver',
          KeyConditionExpression: 'receiverOrganisation = :organisation AND createdAt >= :since',
          FilterExpression: '#record.#destination.#serviceId = :serviceId',
          ExpressionAttributeNames: { '#record': 'record', '#destination': 'destination', '#serviceId': 'serviceId' },
          ExpressionAttributeValues: {
            ':organisation': organisation,
            ':since': since.toISOString(),
            ':serviceId': serviceId,
          },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
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

  /** Every message, newest first, from the shards of the byShard index. */
  listAll(limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.merged(shardQueries('byShard', 'listShard'), 'createdAt', limit, cursor);
  }

  /** Removes the bodies whose retention has passed (the record and timeline stay); returns how many. */
  async dropExpiredBodies(before: Date, limit: number): Promise<number> {
    const expired = await this.earliestInShards(
      'byBodyExpiry',
      'bodyShard',
      'bodyExpiresAt',
      before,
      limit,
      'messageId, bodyExpiresAt',
    );
    for (const { messageId } of expired) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { messageId },
          // Who it is about goes with the body: the record keeps only what the hub did.
          UpdateExpression: 'REMOVE body, bodyEncoding, bodyShard, bodyExpiresAt, #record.#patient',
          ExpressionAttributeNames: { '#record': 'record', '#patient': 'patient' },
          ConditionExpression: 'attribute_exists(messageId)',
        }),
      );
    }
    return expired.length;
  }

  /** Every message escalated past its deadline, most recently escalated first (the sparse byOverdue index). */
  listOverdue(limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.merged(shardQueries('byOverdue', 'overdueShard'), 'overdueAt', limit, cursor);
  }

  /** The Tasks an organisation requested or owns (the two sparse task indexes), or every Task for ops. */
  listTasks(organisation: string | undefined, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    if (organisation === undefined) {
      // Only projected attributes can be filtered on in an index: the record's task, not the key attribute.
      const tasksOnly = {
        FilterExpression: 'attribute_exists(#record.#task)',
        ExpressionAttributeNames: { '#record': 'record', '#task': 'task' },
      };
      return this.merged(shardQueries('byShard', 'listShard', tasksOnly), 'createdAt', limit, cursor);
    }
    return this.merged(
      [
        {
          IndexName: 'byTaskRequester',
          KeyConditionExpression: 'taskRequester = :key',
          ExpressionAttributeValues: { ':key': organisation },
        },
        {
          IndexName: 'byTaskOwner',
          KeyConditionExpression: 'taskOwner = :key',
          ExpressionAttributeValues: { ':key': organisation },
        },
      ],
      'createdAt',
      limit,
      cursor,
    );
  }

  /** Watched messages past their deadline, oldest deadline first, from every shard of the byDue index. */
  async listDue(before: Date, limit: number): Promise<MessageRecord[]> {
    const due = await this.earliestInShards('byDue', 'dueShard', 'dueAt', before, limit);
    return due.map((item) => item.record as MessageRecord);
  }

  /** The items of a sharded index whose sort key is before `before`, earliest first, from every shard. */
  private async earliestInShards(
    indexName: string,
    shardKey: string,
    sortKey: string,
    before: Date,
    limit: number,
    projection?: string,
  ): Promise<Record<string, unknown>[]> {
    const pages = await Promise.all(
      Array.from({ length: LISTING_SHARDS }, (_, shard) =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: indexName,
            KeyConditionExpression: '#shard = :shard AND #sort < :before',
            ExpressionAttributeNames: { '#shard': shardKey, '#sort': sortKey },
            ExpressionAttributeValues: { ':shard': String(shard), ':before': before.toISOString() },
            ...(projection ? { ProjectionExpression: projection } : {}),
            Limit: limit,
          }),
        ),
      ),
    );
    return pages
      .flatMap((page) => page.Items ?? [])
      .sort((a, b) => String(a[sortKey]).localeCompare(String(b[sortKey])))
      .slice(0, limit);
  }

  /**
   * Several index queries read as one listing, newest first by `sortKey`: each is read from where the cursor left
   * it, the pages merged, and the cursor remembers per query the last item handed out (or that it is exhausted).
   * An item that two queries both find (it cannot happen for the indexes used here) would be listed once.
   */
  private async merged(
    queries: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ScanIndexForward' | 'ExclusiveStartKey'>[],
    sortKey: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<MessageRecord>> {
    const positions = cursor ? await this.cursors.open<Positions>(cursor) : {};
    const pages = await Promise.all(
      queries.map(async (query, n) => {
        const position = positions[n];
        if (position === 'done') return { n, items: [] as Record<string, unknown>[], more: false, keyNames: [] };
        const page = await this.db.send(
          new QueryCommand({
            ...query,
            TableName: this.tableName,
            ScanIndexForward: false,
            Limit: limit,
            ...(position ? { ExclusiveStartKey: position } : {}),
          }),
        );
        const index = MESSAGES_TABLE.indexes.find((i) => i.name === query.IndexName)!;
        const keyNames = [MESSAGES_TABLE.partitionKey.name, index.partitionKey.name, index.sortKey!.name];
        return {
          n,
          items: page.Items ?? [],
          more: page.LastEvaluatedKey !== undefined,
          keyNames,
          last: page.LastEvaluatedKey,
        };
      }),
    );
    // A k-way merge, newest first: each query's items keep the order DynamoDB gave them (ties included), so what is
    // taken from a query is always a prefix of its page and the next page starts right after it.
    const seen = new Set<unknown>();
    const heads = pages.map(() => 0);
    const merged: { n: number; item: Record<string, unknown> }[] = [];
    while (merged.length < limit) {
      let best: number | undefined;
      for (const page of pages) {
        const head = page.items[heads[page.n]!];
        if (!head) continue;
        const current = best === undefined ? undefined : pages[best]!.items[heads[best]!]!;
        if (!current || String(head[sortKey]) > String(current[sortKey])) best = page.n;
      }
      if (best === undefined) break;
      const item = pages[best]!.items[heads[best]!++]!;
      if (!seen.has(item.messageId)) {
        seen.add(item.messageId);
        merged.push({ n: best, item });
      }
    }
    const next: Positions = {};
    for (const page of pages) {
      const taken = merged.filter((m) => m.n === page.n);
      const last = taken.at(-1)?.item;
      if (positions[page.n] === 'done' || (taken.length === page.items.length && !page.more)) next[page.n] = 'done';
      else if (last) next[page.n] = Object.fromEntries(page.keyNames.map((k) => [k, last[k]]));
      // A filtered page can be empty yet not the end: continue from where DynamoDB stopped.
      else if (page.items.length === 0 && page.last) next[page.n] = page.last;
      else if (positions[page.n]) next[page.n] = positions[page.n]!;
    }
    const finished = queries.every((_, n) => next[n] === 'done');
    return {
      items: merged.map((m) => m.item.record as MessageRecord),
      ...(finished ? {} : { cursor: await this.cursors.seal(next) }),
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
        ...(cursor ? { ExclusiveStartKey: await this.cursors.open<Record<string, unknown>>(cursor) } : {}),
      }),
    );
    return {
      items: (Items ?? []).map((item) => item.record as MessageRecord),
      ...(LastEvaluatedKey ? { cursor: await this.cursors.seal(LastEvaluatedKey) } : {}),
    };
  }
}

/** One query per shard of a sharded index, for a merged listing. */
function shardQueries(indexName: string, shardKey: string, extra: Partial<QueryCommandInput> = {}) {
  return Array.from({ length: LISTING_SHARDS }, (_, shard) => ({
    ...extra,
    IndexName: indexName,
    KeyConditionExpression: `${shardKey} = :key`,
    ExpressionAttributeValues: { ':key': String(shard) },
  }));
}

/** Per query of a merged listing: where its last page stopped, or that it has nothing more. */
type Positions = Record<number, Record<string, unknown> | 'done'>;

/** The listing shard of a message: spread evenly by its identity. */
export function listShardOf(messageId: string): string {
  return String(shardOf(messageId, LISTING_SHARDS));
}
