import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { CursorCodec } from '../../functions/lib/cursors.js';
import { DynamoOperationsStore } from '../../functions/lib/dynamo-operations.js';
import { packBody } from '../../functions/lib/message-body.js';
import { DynamoMessageStore } from '../../functions/lib/message-store/dynamo-message-store.js';
import { newBodyItem, newMessageItem } from '../../functions/lib/message-store/items.js';
import { givenSecret } from '../../functions/lib/secrets.js';
import { MESSAGE_BODIES_TABLE, MESSAGES_TABLE, OPERATIONS_TABLE } from '../../functions/lib/storage.js';
import { LOCAL_AWS, startEmbeddedServices } from '../../local/embedded.js';
import {
  createTableInput,
  removeBodiesWithoutRecords,
  rewriteAfterKill,
  whenActive,
  whenDeleted,
} from '../../local/local-tables.js';
import { aRecord, bundleOf } from '../support/records.js';

/** A packed body as the attributes an item holds it in. */
const packedAttributes = ({ body, bodyEncoding }: ReturnType<typeof packBody>) => ({
  body: { B: body },
  bodyEncoding: { S: bodyEncoding },
});

const dataDir = mkdtempSync(join(tmpdir(), 'hub-upgrade-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The hub's emulators started on the kept data directory, a client of them, both stopped once `use` is done. */
async function onTheDataDir<T>(
  use: (dynamo: DynamoDBClient, tableNames: Record<string, string>) => Promise<T>,
): Promise<T> {
  const services = await startEmbeddedServices({ dataDir });
  const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint });
  try {
    return await use(dynamo, services.tableNames);
  } finally {
    dynamo.destroy();
    await services.stop();
  }
}

describe('a data directory kept by an earlier version of the hub (npm start -- --data-dir)', () => {
  it("is moved to today's indexes at start, its items keyed for them, nothing lost", async () => {
    // Prepare: the Operations table as an earlier hub made it (no alert index), holding an open alert.
    const raisedAt = '2026-12-01T09:00:00.000Z';
    const tableName = await onTheDataDir(async (dynamo, tableNames) => {
      const tableName = tableNames[OPERATIONS_TABLE.envVar]!;
      await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
      await whenDeleted(dynamo, tableName);
      await dynamo.send(new CreateTableCommand(createTableInput({ ...OPERATIONS_TABLE, indexes: [] }, tableName)));
      await whenActive(dynamo, tableName);
      await dynamo.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: 'ALERT' },
            sk: { S: 'delivery-failed:an-old-one' },
            state: { S: 'open' },
            raisedAt: { S: raisedAt },
            kind: { S: 'delivery-failed' },
            summary: { S: 'A referral could not be delivered.' },
          },
        }),
      );
      return tableName;
    });
    // Act: the hub's emulators start again on the same directory.
    await onTheDataDir(async (dynamo) => {
      const db = DynamoDBDocumentClient.from(dynamo);
      const operations = new DynamoOperationsStore(db, tableName, new CursorCodec(givenSecret('upgrade-test-cursors')));
      // Assess: the alert is listed through today's index, as it was raised.
      const open = await operations.listAlerts('open', { limit: 10 });
      expect(open.items).toEqual([
        expect.objectContaining({ key: 'delivery-failed:an-old-one', state: 'open', raisedAt }),
      ]);
      expect(await operations.countOpenAlerts(10)).toBe(1);
    });
  });

  it('writes again, after a kill, the messages changed since the killed hub started and those waiting on someone', async () => {
    // Prepare: messages delivered before the killed hub started and after it, and messages waiting since before it
    // started (for a delivery, in a team's inbox): the killed hub's change of one may have stopped after dynalite
    // removed its status entry and before the item was written, leaving it in no status (the chaos run caught two).
    await onTheDataDir(async (dynamo, tableNames) => {
      const tableName = tableNames[MESSAGES_TABLE.envVar]!;
      const message = (messageId: string, status: string, updatedAt: string) =>
        dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { messageId: { S: messageId }, status: { S: status }, updatedAt: { S: updatedAt } },
          }),
        );
      await message('delivered-before', 'delivered', '2026-12-05T08:00:00.000Z');
      await message('delivered-after', 'delivered', '2026-12-05T10:00:00.000Z');
      await message('owed-since-before', 'accepted', '2026-12-05T08:00:00.000Z');
      await message('in-an-inbox-since-before', 'in-mailbox', '2026-12-05T08:00:00.000Z');
      // Act
      const rewritten = await rewriteAfterKill(dynamo, tableName, '2026-12-05T09:00:00.000Z', [
        'accepted',
        'in-mailbox',
      ]);
      // Assess
      expect(rewritten).toEqual(new Set(['delivered-after', 'owed-since-before', 'in-an-inbox-since-before']));
    });
  });

  it('removes, after a kill, the bodies the killed hub wrote without their records, and only those', async () => {
    // Prepare: a message stored whole, a body left alone by the killed hub, and one left alone before it started.
    await onTheDataDir(async (dynamo, tableNames) => {
      const messages = tableNames[MESSAGES_TABLE.envVar]!;
      const bodies = tableNames[MESSAGE_BODIES_TABLE.envVar]!;
      const [whole, leftByTheKilled, leftBefore] = [1, 2, 3].map((minute) => aRecord({ minute }));
      const body = (record: MessageRecord, storedAt: string) =>
        dynamo.send(
          new PutItemCommand({ TableName: bodies, Item: newBodyItem(record, bundleOf(record), new Date(storedAt)) }),
        );
      await body(whole!, '2026-12-05T10:00:00.000Z');
      await dynamo.send(new PutItemCommand({ TableName: messages, Item: newMessageItem(whole!, undefined) }));
      await body(leftByTheKilled!, '2026-12-05T10:00:00.000Z');
      await body(leftBefore!, '2026-12-05T08:00:00.000Z');
      // Act
      const since = '2026-12-05T09:00:00.000Z';
      const removed = await removeBodiesWithoutRecords(dynamo, bodies, since, new Set([whole!.messageId]));
      // Assess
      expect(removed).toBe(1);
      const kept = async (record: MessageRecord) =>
        (await dynamo.send(new GetItemCommand({ TableName: bodies, Key: { messageId: { S: record.messageId } } })))
          .Item !== undefined;
      expect([await kept(whole!), await kept(leftByTheKilled!), await kept(leftBefore!)]).toEqual([true, false, true]);
    });
  });

  it("moves each message's body, which an earlier version kept in the message's own item, to the bodies table", async () => {
    // Prepare: the Messages table as an earlier hub made it (its body-expiry index), a message and its body in one item.
    const record = aRecord({ minute: 5 });
    const tableName = await onTheDataDir(async (dynamo, tableNames) => {
      const tableName = tableNames[MESSAGES_TABLE.envVar]!;
      await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
      await whenDeleted(dynamo, tableName);
      const bodyExpiry = {
        name: 'byBodyExpiry',
        partitionKey: { name: 'bodyShard', type: 'S' as const },
        sortKey: { name: 'bodyExpiresAt', type: 'S' as const },
        projectedAttributes: [],
      };
      const earlier = { ...MESSAGES_TABLE, indexes: [...MESSAGES_TABLE.indexes, bodyExpiry] };
      await dynamo.send(new CreateTableCommand(createTableInput(earlier, tableName)));
      await whenActive(dynamo, tableName);
      await dynamo.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...newMessageItem(record, undefined),
            ...packedAttributes(packBody(bundleOf(record))),
            bodyShard: { S: '0' },
            bodyExpiresAt: { S: '2027-05-22T09:05:00.000Z' },
          },
        }),
      );
      return tableName;
    });
    // Act: the hub's emulators start again on the same directory.
    await onTheDataDir(async (dynamo, tableNames) => {
      const store = new DynamoMessageStore(
        DynamoDBDocumentClient.from(dynamo),
        { messages: tableName, bodies: tableNames[MESSAGE_BODIES_TABLE.envVar]! },
        new CursorCodec(givenSecret('upgrade-test-cursors')),
        async (n) => n,
      );
      // Assess: the message and its body read as today's hub reads them; its item holds the record alone.
      expect(await store.get(record.messageId)).toMatchObject({ messageId: record.messageId });
      expect(await store.getBundle(record.messageId)).toEqual(bundleOf(record));
      const { Item } = await dynamo.send(
        new GetItemCommand({ TableName: tableName, Key: { messageId: { S: record.messageId } } }),
      );
      expect(Item?.record).toBeDefined();
      expect(Item?.body).toBeUndefined();
      expect(Item?.bodyShard).toBeUndefined();
    });
  });
});
