import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { CursorCodec } from '../../functions/lib/cursors.js';
import { DynamoOperationsStore } from '../../functions/lib/dynamo-operations.js';
import { givenSecret } from '../../functions/lib/secrets.js';
import { MESSAGES_TABLE, OPERATIONS_TABLE } from '../../functions/lib/storage.js';
import { LOCAL_AWS, startEmbeddedServices } from '../../local/embedded.js';
import { createTableInput, rewriteChangedSince, whenActive, whenDeleted } from '../../local/local-tables.js';

const dataDir = mkdtempSync(join(tmpdir(), 'hub-upgrade-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('a data directory kept by an earlier version of the hub (npm start -- --data-dir)', () => {
  it("is moved to today's indexes at start, its items keyed for them, nothing lost", async () => {
    // Prepare: the Operations table as an earlier hub made it (no alert index), holding an open alert.
    const before = await startEmbeddedServices({ dataDir });
    const tableName = before.tableNames[OPERATIONS_TABLE.envVar]!;
    const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: before.dynamoEndpoint });
    await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
    await whenDeleted(dynamo, tableName);
    await dynamo.send(new CreateTableCommand(createTableInput({ ...OPERATIONS_TABLE, indexes: [] }, tableName)));
    await whenActive(dynamo, tableName);
    const raisedAt = '2026-12-01T09:00:00.000Z';
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
    dynamo.destroy();
    await before.stop();
    // Act: the hub's emulators start again on the same directory.
    const after = await startEmbeddedServices({ dataDir });
    try {
      const db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: after.dynamoEndpoint }));
      const operations = new DynamoOperationsStore(db, tableName, new CursorCodec(givenSecret('upgrade-test-cursors')));
      // Assess: the alert is listed through today's index, as it was raised.
      const open = await operations.listAlerts('open', { limit: 10 });
      expect(open.items).toEqual([
        expect.objectContaining({ key: 'delivery-failed:an-old-one', state: 'open', raisedAt }),
      ]);
      expect(await operations.countOpenAlerts(10)).toBe(1);
      db.destroy();
    } finally {
      await after.stop();
    }
  });

  it('writes again, after a kill, the messages changed since the killed hub started, and only those', async () => {
    // Prepare: two messages, one changed before the killed hub started and one after.
    const services = await startEmbeddedServices({ dataDir });
    const tableName = services.tableNames[MESSAGES_TABLE.envVar]!;
    const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint });
    try {
      const message = (messageId: string, updatedAt: string) =>
        dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { messageId: { S: messageId }, status: { S: 'accepted' }, updatedAt: { S: updatedAt } },
          }),
        );
      await message('before', '2026-12-05T08:00:00.000Z');
      await message('after', '2026-12-05T10:00:00.000Z');
      // Act and assess
      expect(await rewriteChangedSince(dynamo, tableName, '2026-12-05T09:00:00.000Z')).toBe(1);
    } finally {
      dynamo.destroy();
      await services.stop();
    }
  });
});
