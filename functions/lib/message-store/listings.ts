import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageRecord } from '../../../core/lifecycle/message-record.js';
import type { Page } from '../../../core/ports.js';
import type { CursorCodec } from '../cursors.js';
import { LISTING_SHARDS, MESSAGES_TABLE } from '../storage.js';

/**
 * Listings of messages: an index query finds the keys (the indexes carry nothing else), the records are then read
 * from the table in one batch. Every listing of the store is an IndexQuery; each kind of read is written here once.
 */

export type MessageIndex = (typeof MESSAGES_TABLE.indexes)[number]['name'];

export interface IndexQuery {
  index: MessageIndex;
  /** The value of the index's partition key. */
  partition: string;
  /** A range of the index's sort key: before (exclusive), since (inclusive), or between the two given (inclusive). */
  before?: string;
  since?: string;
  between?: [string, string];
  order: 'newest-first' | 'oldest-first';
  /** A condition on an attribute the index projects (besides its keys). */
  filter?: { attribute: string; equals: string };
}

/** The most keys one BatchGetItem may ask for. */
const BATCH_GET_MAX_KEYS = 100;
/** Tries of a batch read whose keys DynamoDB left unprocessed (throttled): after these, the listing fails loudly. */
const BATCH_GET_TRIES = 5;
/** The first wait before asking again for unprocessed keys; doubled each try. */
const BATCH_GET_BACKOFF_MS = 25;

type Item = Record<string, unknown>;
/** Per query of a merged listing: where its last page stopped, or that it has nothing more. */
type Positions = Record<number, Item | 'done'>;

/** Oldest first by an index's sort key, then by message identity (a total order: where a sweep got to is exact). */
const order = (a: Item, b: Item, sort: string) =>
  String(a[sort]).localeCompare(String(b[sort])) || String(a.messageId).localeCompare(String(b.messageId));

/** One query per shard of a sharded index (each shard's partition is its number). */
export function everyShard(query: Omit<IndexQuery, 'partition'>): IndexQuery[] {
  return Array.from({ length: LISTING_SHARDS }, (_, shard) => ({ ...query, partition: String(shard) }));
}

function keysOf(index: MessageIndex) {
  const definition = MESSAGES_TABLE.indexes.find((i) => i.name === index)!;
  return { partition: definition.partitionKey.name, sort: definition.sortKey!.name };
}

export class MessageListings {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cursors: CursorCodec,
  ) {}

  /** One page of one index, its records read from the table. */
  async page(query: IndexQuery, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    const start = cursor ? await this.cursors.open<Item>(cursor) : undefined;
    const { Items, LastEvaluatedKey } = await this.db.send(this.queryCommand(query, limit, start));
    return {
      items: await this.records(Items ?? []),
      ...(LastEvaluatedKey ? { cursor: await this.cursors.seal(LastEvaluatedKey) } : {}),
    };
  }

  /** How many items of one index match (counted by DynamoDB: no record is read). */
  async count(query: IndexQuery): Promise<number> {
    let count = 0;
    let start: Item | undefined;
    do {
      const command = this.queryCommand(query, undefined, start);
      command.input.Select = 'COUNT';
      const page = await this.db.send(command);
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /** Every item of the queries whose sort key comes first, across them (sharded indexes), up to `limit`. */
  async earliest(queries: IndexQuery[], limit: number): Promise<Item[]> {
    const pages = await Promise.all(queries.map((query) => this.db.send(this.queryCommand(query, limit))));
    const sort = keysOf(queries[0]!.index).sort;
    return pages
      .flatMap((page) => page.Items ?? [])
      .sort((a, b) => order(a, b, sort))
      .slice(0, limit);
  }

  /**
   * Several index queries read as one listing, newest first by their sort key: each is read from where the cursor
   * left it, the pages merged, and the cursor remembers per query the last item handed out (or that it is exhausted).
   * An item that two queries both find is listed once.
   */
  async merged(queries: IndexQuery[], limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    const positions = cursor ? await this.cursors.open<Positions>(cursor) : {};
    const pages = await Promise.all(
      queries.map(async (query, n) => {
        const position = positions[n];
        if (position === 'done') return { n, items: [] as Item[], more: false };
        const page = await this.db.send(this.queryCommand(query, limit, position));
        return { n, items: page.Items ?? [], more: page.LastEvaluatedKey !== undefined, last: page.LastEvaluatedKey };
      }),
    );
    const sort = keysOf(queries[0]!.index).sort;
    const taken = mergeNewestFirst(pages, sort, limit);
    const next: Positions = {};
    for (const page of pages) {
      const last = taken.filter((m) => m.n === page.n).at(-1)?.item;
      const takenAll = taken.filter((m) => m.n === page.n).length === page.items.length;
      if (positions[page.n] === 'done' || (takenAll && !page.more)) next[page.n] = 'done';
      else if (last) next[page.n] = keyOf(last, queries[page.n]!.index);
      // A filtered page can be empty yet not the end: continue from where DynamoDB stopped.
      else if (page.items.length === 0 && page.last) next[page.n] = page.last;
      else if (positions[page.n]) next[page.n] = positions[page.n]!;
    }
    const finished = queries.every((_, n) => next[n] === 'done');
    return {
      items: await this.records(taken.map((m) => m.item)),
      ...(finished ? {} : { cursor: await this.cursors.seal(next) }),
    };
  }

  /** The records of the items found, in their order, read from the table in batches (an item gone since is left out). */
  async records(items: readonly Item[]): Promise<MessageRecord[]> {
    const ids = items.map((item) => item.messageId as string);
    const found = new Map<string, MessageRecord>();
    for (let from = 0; from < ids.length; from += BATCH_GET_MAX_KEYS) {
      let keys: Item[] = [...new Set(ids.slice(from, from + BATCH_GET_MAX_KEYS))].map((messageId) => ({ messageId }));
      for (let tries = 0; keys.length > 0; tries++) {
        if (tries === BATCH_GET_TRIES) throw new Error(`${keys.length} messages could not be read: DynamoDB throttled`);
        if (tries > 0) await new Promise((resolve) => setTimeout(resolve, BATCH_GET_BACKOFF_MS * 2 ** tries));
        const { Responses, UnprocessedKeys } = await this.db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: '#record',
                ExpressionAttributeNames: { '#record': 'record' },
              },
            },
          }),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          const record = item.record as MessageRecord;
          found.set(record.messageId, record);
        }
        keys = (UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  private queryCommand(query: IndexQuery, limit: number | undefined, start?: Item) {
    const keys = keysOf(query.index);
    const names: Record<string, string> = { '#partition': keys.partition };
    const values: Record<string, unknown> = { ':partition': query.partition };
    let condition = '#partition = :partition';
    if (query.between) {
      names['#sort'] = keys.sort;
      [values[':from'], values[':to']] = query.between;
      condition += ' AND #sort BETWEEN :from AND :to';
    } else if (query.before !== undefined || query.since !== undefined) {
      names['#sort'] = keys.sort;
      values[':sort'] = query.before ?? query.since;
      condition += query.before !== undefined ? ' AND #sort < :sort' : ' AND #sort >= :sort';
    }
    if (query.filter) {
      names['#filtered'] = query.filter.attribute;
      values[':filtered'] = query.filter.equals;
    }
    return new QueryCommand({
      TableName: this.tableName,
      IndexName: query.index,
      KeyConditionExpression: condition,
      ...(query.filter ? { FilterExpression: '#filtered = :filtered' } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: query.order === 'oldest-first',
      ...(limit !== undefined ? { Limit: limit } : {}),
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
  }
}

/** An index item's key: the table's key and the index's (where a page of that index continues from). */
function keyOf(item: Item, index: MessageIndex): Item {
  const { partition, sort } = keysOf(index);
  return Object.fromEntries([MESSAGES_TABLE.partitionKey.name, partition, sort].map((k) => [k, item[k]]));
}

/**
 * A k-way merge, newest first: each query's items keep the order DynamoDB gave them (ties included), so what is
 * taken from a query is always a prefix of its page and the next page starts right after it.
 */
function mergeNewestFirst(pages: { n: number; items: Item[] }[], sort: string, limit: number) {
  const seen = new Set<unknown>();
  const heads = pages.map(() => 0);
  const taken: { n: number; item: Item }[] = [];
  while (taken.length < limit) {
    let best: number | undefined;
    for (const page of pages) {
      const head = page.items[heads[page.n]!];
      if (!head) continue;
      const current = best === undefined ? undefined : pages[best]!.items[heads[best]!]!;
      if (!current || String(head[sort]) > String(current[sort])) best = page.n;
    }
    if (best === undefined) break;
    const item = pages[best]!.items[heads[best]!++]!;
    if (!seen.has(item.messageId)) {
      seen.add(item.messageId);
      taken.push({ n: best, item });
    }
  }
  return taken;
}
