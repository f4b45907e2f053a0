import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
// dynalite's own measure of an item: DynamoDB's published sizing rules (names, values, maps and lists).
// @ts-expect-error dynalite ships no types
import { itemSize } from 'dynalite/db/index.js';
import type { SdkClient } from '../functions/lib/aws-hub.js';
import { type IndexDefinition, TABLES, type TableDefinition } from '../functions/lib/storage.js';
import { LOCAL_AWS } from '../local/embedded.js';
import { startLocalHub } from '../local/hub.js';
import { SAMPLE_PRACTICE } from '../local/identities.js';
import { referralMessage } from '../local/sample-messages.js';
import { round } from './measure.js';

/** Referrals whose every write is metered (one at a time, so each write's before and after are its own). */
const METERED_REFERRALS = 40;
/** AWS adds this to the size of every index entry (the DynamoDB developer guide, "GSI storage"). */
const INDEX_ENTRY_OVERHEAD_BYTES = 100;
const KB = 1024;

type Item = Record<string, AttributeValue>;

export interface WriteUnits {
  referrals: number;
  /** Write units per referral, by table and operation: the table's own and its indexes'. */
  writes: { table: string; operation: string; perReferral: number; tableUnits: number; indexUnits: number }[];
  perReferral: number;
}

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));

/** An index entry as AWS stores it: the table's keys, the index's keys and what it projects. */
function indexEntry(item: Item | undefined, index: IndexDefinition, table: TableDefinition): Item | undefined {
  const keys = [index.partitionKey.name, ...(index.sortKey ? [index.sortKey.name] : [])];
  if (!item || keys.some((k) => item[k] === undefined)) return undefined;
  const names = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : []), ...keys];
  return Object.fromEntries(
    [...names, ...index.projectedAttributes].filter((n) => item[n] !== undefined).map((n) => [n, item[n]!]),
  );
}

/**
 * What one write costs an index, by AWS's rules: an entry added or removed is one write, a key changed two (the old
 * entry deleted, the new put), a projected attribute changed one; a write that touches neither costs the index
 * nothing. Each write is charged by its entry's size.
 */
function indexUnits(before: Item | undefined, after: Item | undefined, table: TableDefinition): number {
  let total = 0;
  for (const index of table.indexes) {
    const [was, is] = [indexEntry(before, index, table), indexEntry(after, index, table)];
    const size = (entry: Item) => units(itemSize(entry) + INDEX_ENTRY_OVERHEAD_BYTES);
    if (!was && !is) continue;
    if (!was) total += size(is!);
    else if (!is) total += size(was);
    else {
      const keys = [index.partitionKey.name, index.sortKey?.name].filter(Boolean) as string[];
      const same = (names: string[]) => names.every((n) => JSON.stringify(was[n]) === JSON.stringify(is[n]));
      if (!same(keys)) total += size(was) + size(is);
      else if (!same(index.projectedAttributes)) total += size(is);
    }
  }
  return total;
}

const asAttributes = (value: Record<string, unknown>): Item =>
  Object.values(value).every((v) => v && typeof v === 'object' && Object.keys(v).length === 1)
    ? (value as Item)
    : marshall(value, { removeUndefinedValues: true, convertClassInstanceToMap: true });

/**
 * Meters every write the hub makes to its tables: the item read before and after (by a client the hub does not
 * have), and the write units AWS would charge worked out from those two items' sizes.
 */
function meterWrites(
  client: SdkClient,
  reader: DynamoDBClient,
  tableNames: Map<string, TableDefinition>,
  seen: Map<string, { table: number; index: number; count: number }>,
) {
  (client.middlewareStack as { add: (m: unknown, o: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const operation = context.commandName?.replace(/Command$/, '') ?? '';
      const input = (
        args as { input: { TableName?: string; Key?: Record<string, unknown>; Item?: Record<string, unknown> } }
      ).input;
      const table = input.TableName ? tableNames.get(input.TableName) : undefined;
      if (!table || !['PutItem', 'UpdateItem', 'DeleteItem'].includes(operation)) return next(args);
      const keyNames = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
      const whole = asAttributes((input.Key ?? input.Item)!);
      const Key = Object.fromEntries(keyNames.map((k) => [k, whole[k]!]));
      const read = async () =>
        (await reader.send(new GetItemCommand({ TableName: input.TableName, Key, ConsistentRead: true }))).Item;
      const before = await read();
      try {
        return await next(args);
      } finally {
        const after = await read();
        const tableUnits = Math.max(units(before ? itemSize(before) : 0), units(after ? itemSize(after) : 0));
        const key = `${table.id} ${operation}`;
        const so = seen.get(key) ?? { table: 0, index: 0, count: 0 };
        seen.set(key, {
          table: so.table + tableUnits,
          index: so.index + indexUnits(before, after, table),
          count: so.count + 1,
        });
      }
    },
    { step: 'initialize', name: 'benchWriteMeter' },
  );
}

/** 4. The write units a referral costs, measured from the items the local hub actually writes. */
export async function measureWriteUnits(): Promise<WriteUnits> {
  const hub = await startLocalHub({ port: 0, receiversPort: false, requestsPerWindow: 1_000_000 });
  const reader = new DynamoDBClient({ ...LOCAL_AWS, endpoint: hub.services.dynamoEndpoint });
  const tableNames = new Map(TABLES.map((t) => [hub.services.tableNames[t.envVar]!, t as TableDefinition]));
  const seen = new Map<string, { table: number; index: number; count: number }>();
  try {
    const headers = {
      'content-type': 'application/fhir+json',
      ...(await hub.tokens.headers(SAMPLE_PRACTICE, 'sender')),
    };
    for (const client of hub.sdkClients) meterWrites(client, reader, tableNames, seen);
    for (let n = 1; n <= METERED_REFERRALS; n++) {
      const response = await fetch(`${hub.baseUrl}/$process-message`, {
        method: 'POST',
        headers: { ...headers, 'x-request-id': crypto.randomUUID(), 'x-correlation-id': crypto.randomUUID() },
        body: JSON.stringify(referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' })),
      });
      if (response.status !== 202) throw new Error(`HTTP ${response.status}`);
      while ((hub.metrics.get('DeliveredToMailbox') ?? 0) < n) await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    reader.destroy();
    await hub.stop();
  }
  const writes = [...seen.entries()]
    .map(([key, w]) => {
      const [table, operation] = key.split(' ') as [string, string];
      return {
        table,
        operation,
        perReferral: round(w.count / METERED_REFERRALS, 2),
        tableUnits: round(w.table / METERED_REFERRALS, 2),
        indexUnits: round(w.index / METERED_REFERRALS, 2),
      };
    })
    .sort((a, b) => b.tableUnits + b.indexUnits - (a.tableUnits + a.indexUnits));
  return {
    referrals: METERED_REFERRALS,
    writes,
    perReferral: round(
      writes.reduce((sum, w) => sum + w.tableUnits + w.indexUnits, 0),
      2,
    ),
  };
}
