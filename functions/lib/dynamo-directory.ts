import { createHash, randomUUID } from 'node:crypto';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Directory } from '../../core/ports.js';
import type { ServiceAvailability } from '../../core/routing/availability.js';
import type { NetworkDefinition } from '../../core/routing/network.js';
import { describeNetworkChanges } from '../../core/routing/network-diff.js';
import { type CompiledNetwork, compileNetwork } from '../../core/routing/resolve.js';
import { DIRECTORY_KEYS } from './storage.js';

/** How often a warm Lambda checks whether the routing tables changed (one small read). */
export const DIRECTORY_REFRESH_SECONDS = 30;
/** DynamoDB's item limit is 400 KB; a network definition must leave room for its keys. */
const MAX_DEFINITION_BYTES = 380_000;
/** DynamoDB BatchWriteItem takes at most 25 requests. */
const BATCH_SIZE = 25;

/**
 * The routing tables in DynamoDB, read through an in-memory cache: a network is read and compiled once, then every
 * resolution is a lookup in memory. The cache is dropped when the directory's revision item changes.
 */
export class DynamoDirectory implements Directory {
  private readonly networks = new Map<string, Promise<CompiledNetwork | undefined>>();
  private readonly memberships = new Map<string, Promise<{ networkId: string; role: string }[]>>();
  private revision: string | undefined;
  private checkedAt = 0;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly refreshSeconds = DIRECTORY_REFRESH_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  async networkOfPractice(odsCode: string): Promise<CompiledNetwork | undefined> {
    const membership = (await this.membershipsOf(odsCode)).find((m) => m.role === 'practice');
    return membership ? this.network(membership.networkId) : undefined;
  }

  async networkOfOrganisation(odsCode: string): Promise<CompiledNetwork | undefined> {
    const memberships = await this.membershipsOf(odsCode);
    const preferred = memberships.find((m) => m.role === 'practice') ?? memberships[0];
    return preferred ? this.network(preferred.networkId) : undefined;
  }

  async listNetworks(): Promise<NetworkDefinition[]> {
    await this.refreshIfChanged();
    const items = await this.scanPrefix(DIRECTORY_KEYS.networkPrefix);
    return items
      .map((item) => JSON.parse(item.definition as string) as NetworkDefinition)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Number of networks compiled in memory (for the benchmark). */
  get cachedNetworks(): number {
    return this.networks.size;
  }

  async listAvailability(): Promise<ServiceAvailability[]> {
    const items = await this.scanPrefix(DIRECTORY_KEYS.availabilityPrefix);
    return items.map((item) => item.availability as ServiceAvailability);
  }

  async setAvailability(availability: ServiceAvailability): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...DIRECTORY_KEYS.availability(availability.networkId, availability.serviceId), availability },
      }),
    );
    // A new revision: every warm cache reloads its networks within its refresh interval; this one at once.
    const revision = randomUUID();
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...DIRECTORY_KEYS.revision, revision, updatedAt: availability.setAt },
      }),
    );
    this.networks.clear();
    this.revision = revision;
  }

  private async scanPrefix(prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :prefix)',
          ExpressionAttributeValues: { ':prefix': prefix },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async network(networkId: string): Promise<CompiledNetwork | undefined> {
    await this.refreshIfChanged();
    let cached = this.networks.get(networkId);
    if (!cached) {
      cached = Promise.all([
        this.db.send(new GetCommand({ TableName: this.tableName, Key: DIRECTORY_KEYS.network(networkId) })),
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': DIRECTORY_KEYS.availabilityOf(networkId) },
          }),
        ),
      ]).then(([{ Item }, { Items }]) =>
        Item
          ? compileNetwork(
              JSON.parse(Item.definition as string) as NetworkDefinition,
              (Items ?? []).map((i) => i.availability as ServiceAvailability),
            )
          : undefined,
      );
      cached.catch(() => this.networks.delete(networkId));
      this.networks.set(networkId, cached);
    }
    return cached;
  }

  private async membershipsOf(odsCode: string) {
    await this.refreshIfChanged();
    let cached = this.memberships.get(odsCode);
    if (!cached) {
      cached = this.db
        .send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': DIRECTORY_KEYS.membershipsOf(odsCode) },
          }),
        )
        .then(({ Items }) => (Items ?? []).map((i) => ({ networkId: i.networkId as string, role: i.role as string })));
      cached.catch(() => this.memberships.delete(odsCode));
      this.memberships.set(odsCode, cached);
    }
    return cached;
  }

  private async refreshIfChanged(): Promise<void> {
    if (this.now() - this.checkedAt < this.refreshSeconds * 1000) return;
    this.checkedAt = this.now();
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: DIRECTORY_KEYS.revision }));
    const revision = Item?.revision as string | undefined;
    if (revision !== this.revision) {
      this.networks.clear();
      this.memberships.clear();
      this.revision = revision;
    }
  }
}

export interface NetworkChange {
  networkId: string;
  change: 'added' | 'changed' | 'unchanged' | 'removed';
  /** For a changed network: what changed, one line each. */
  details?: string[];
}

/** Content hash of a definition: what `diff` compares and what the revision is made of. */
export function definitionHash(definition: NetworkDefinition): string {
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16);
}

/** What loading these definitions would change, network by network. */
export async function diffNetworks(
  db: DynamoDBDocumentClient,
  tableName: string,
  definitions: NetworkDefinition[],
): Promise<NetworkChange[]> {
  const current = await storedHashes(db, tableName);
  return Promise.all(
    definitions.map(async (d): Promise<NetworkChange> => {
      if (!current.has(d.id)) return { networkId: d.id, change: 'added' };
      if (current.get(d.id) === definitionHash(d)) return { networkId: d.id, change: 'unchanged' };
      // The same comparison as the hub's own POST /routing/$diff: a file that differs only in how its JSON is laid
      // out (key order) is unchanged.
      const details = describeNetworkChanges(await storedDefinition(db, tableName, d.id), d);
      return details.length
        ? { networkId: d.id, change: 'changed', details }
        : { networkId: d.id, change: 'unchanged' };
    }),
  );
}

async function storedDefinition(db: DynamoDBDocumentClient, tableName: string, networkId: string) {
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: DIRECTORY_KEYS.network(networkId) }));
  return JSON.parse(Item!.definition as string) as NetworkDefinition;
}

async function storedHashes(db: DynamoDBDocumentClient, tableName: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': DIRECTORY_KEYS.networkPrefix },
        ProjectionExpression: 'networkId, #hash',
        ExpressionAttributeNames: { '#hash': 'hash' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) hashes.set(item.networkId as string, item.hash as string);
    start = page.LastEvaluatedKey;
  } while (start);
  return hashes;
}

/**
 * Writes validated definitions (network items and one membership item per organisation), then bumps the
 * revision so every warm cache reloads. Unchanged networks are skipped. Reports progress per batch.
 */
export async function loadNetworks(
  db: DynamoDBDocumentClient,
  tableName: string,
  definitions: NetworkDefinition[],
  onProgress?: (done: number, total: number) => void,
): Promise<NetworkChange[]> {
  const changes = await diffNetworks(db, tableName, definitions);
  const toWrite = definitions.filter((_, i) => changes[i]!.change !== 'unchanged');
  const items: Record<string, unknown>[] = [];
  const removed: Record<string, unknown>[] = [];
  for (const definition of toWrite.filter((d) => changes.find((c) => c.networkId === d.id)!.change === 'changed')) {
    // An organisation that left the network must stop resolving to it.
    const before = await storedDefinition(db, tableName, definition.id);
    const now = new Set([...definition.practices, ...definition.organisations].map((o) => o.odsCode));
    for (const o of [...before.practices, ...before.organisations])
      if (!now.has(o.odsCode)) removed.push(DIRECTORY_KEYS.membership(o.odsCode, definition.id));
  }
  for (const definition of toWrite) {
    const text = JSON.stringify(definition);
    if (Buffer.byteLength(text) > MAX_DEFINITION_BYTES)
      throw new Error(
        `network ${definition.id} is ${Buffer.byteLength(text)} bytes; the limit is ${MAX_DEFINITION_BYTES}`,
      );
    items.push({
      ...DIRECTORY_KEYS.network(definition.id),
      networkId: definition.id,
      hash: definitionHash(definition),
      definition: text,
    });
    for (const practice of definition.practices)
      items.push({
        ...DIRECTORY_KEYS.membership(practice.odsCode, definition.id),
        networkId: definition.id,
        role: 'practice',
      });
    for (const organisation of definition.organisations)
      items.push({
        ...DIRECTORY_KEYS.membership(organisation.odsCode, definition.id),
        networkId: definition.id,
        role: organisation.kind,
      });
  }
  const requests = [
    ...items.map((Item) => ({ PutRequest: { Item } })),
    ...removed.map((Key) => ({ DeleteRequest: { Key } })),
  ];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) {
    let pending: (typeof requests)[number][] | undefined = requests.slice(i, i + BATCH_SIZE);
    while (pending && pending.length > 0) {
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = result.UnprocessedItems?.[tableName] as typeof pending;
    }
    onProgress?.(Math.min(i + BATCH_SIZE, requests.length), requests.length);
  }
  if (toWrite.length > 0) {
    const revision = createHash('sha256')
      .update(definitions.map(definitionHash).join())
      .update(new Date().toISOString())
      .digest('hex')
      .slice(0, 16);
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...DIRECTORY_KEYS.revision, revision, updatedAt: new Date().toISOString() },
      }),
    );
  }
  return changes;
}
