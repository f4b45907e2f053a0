import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientIndexKey } from '../../core/fhir/patient-index.js';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { BODY_RETENTION_DAYS } from '../../core/lifecycle/retention.js';
import { CursorCodec } from '../../functions/lib/cursors.js';
import { DynamoMessageStore } from '../../functions/lib/message-store/dynamo-message-store.js';
import { newBodyItem } from '../../functions/lib/message-store/items.js';
import { givenSecret } from '../../functions/lib/secrets.js';
import { MESSAGE_BODIES_TABLE, MESSAGES_TABLE } from '../../functions/lib/storage.js';
import { type EmbeddedServices, LOCAL_AWS, startEmbeddedServices } from '../../local/embedded.js';
import { aRecord, bundleOf } from '../support/records.js';

/**
 * The DynamoDB store keeps a message in two items: its Bundle in the bodies table, written first, then its record,
 * whose conditional put is the durable yes. What only two writes can leave behind is specified here; the contract
 * suite (test/contract/message-store.test.ts) holds the rest on both stores.
 */

let services: EmbeddedServices;
let dynamo: DynamoDBClient;
let tables: { messages: string; bodies: string };
beforeAll(async () => {
  services = await startEmbeddedServices();
  dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint });
  tables = {
    messages: services.tableNames[MESSAGES_TABLE.envVar]!,
    bodies: services.tableNames[MESSAGE_BODIES_TABLE.envVar]!,
  };
});
afterAll(async () => {
  dynamo?.destroy();
  await services?.stop();
});

/**
 * How the record's put fails, when it does: its answer lost after DynamoDB wrote it, or before DynamoDB had it (either
 * way the caller gets an error, as when every try of the SDK's went unanswered).
 */
type RecordWriteFault = 'answer lost' | 'never arrived';

/** The store as the hub builds it, at a time the test sets, its record's put failing as told. */
function storeAt(now: () => Date, recordWrite?: RecordWriteFault) {
  const client = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const recordPut = (command: unknown) =>
    command instanceof PutItemCommand && command.input.TableName === tables.messages;
  const lost = () => new Error('socket hang up');
  const faulty = Object.assign(Object.create(client), {
    send: async (command: unknown) => {
      if (!recordWrite || !recordPut(command)) return send(command);
      if (recordWrite === 'never arrived') throw lost();
      await send(command);
      throw lost();
    },
  }) as DynamoDBDocumentClient;
  return new DynamoMessageStore(
    faulty,
    tables,
    new CursorCodec(givenSecret('bodies-test-cursor-key')),
    patientIndexKey(givenSecret('bodies-test-search-key')),
    now,
  );
}

/** What a request that stopped between its two writes leaves: the body alone, stored at `storedAt`. */
async function bodyLeftAlone(record: MessageRecord, storedAt: Date) {
  await dynamo.send(
    new PutItemCommand({
      TableName: tables.bodies,
      Item: newBodyItem(record, bundleOf(record), storedAt),
    }),
  );
}

/** When the body held for a message was stored (which request's it is). */
const storedAt = async (messageId: string) => {
  const { Item } = await dynamo.send(
    new GetItemCommand({ TableName: tables.bodies, Key: { messageId: { S: messageId } } }),
  );
  return Item?.storedAt?.N === undefined ? undefined : Number(Item.storedAt.N);
};

describe('a message kept as its body and its record (the DynamoDB store)', () => {
  it('is stored body first, and a second request for it changes neither', async () => {
    // Prepare
    const store = storeAt(() => new Date());
    const record = aRecord({ minute: 1 });
    // Act
    const first = await store.create(record, bundleOf(record));
    const again = await store.create({ ...record, requestId: crypto.randomUUID() }, { ...bundleOf(record), meta: {} });
    // Assess
    expect([first, again]).toEqual(['created', 'duplicate']);
    expect(await store.getBundle(record.messageId)).toEqual(bundleOf(record));
  });

  it('tells a request for a message another request is storing now to ask again, and never stores it twice', async () => {
    // Prepare: another request wrote the body a moment ago and has not yet written the record.
    const now = new Date();
    const store = storeAt(() => now);
    const record = aRecord({ minute: 2 });
    const theOthers = new Date(now.getTime() - 5_000);
    await bodyLeftAlone(record, theOthers);
    // Act
    const stored = await store.create(record, bundleOf(record));
    // Assess
    expect(stored).toBe('in-flight');
    expect(await store.get(record.messageId)).toBeUndefined();
    expect(await storedAt(record.messageId)).toBe(theOthers.getTime());
  });

  it('stores a message whose earlier request stopped between its two writes, when the sender asks again', async () => {
    // Prepare: a request wrote the body two minutes ago and never came back (its process died).
    const now = new Date();
    const store = storeAt(() => now);
    const record = aRecord({ minute: 3 });
    await bodyLeftAlone(record, new Date(now.getTime() - 120_000));
    // Act: the sender's retry.
    const stored = await store.create(record, bundleOf(record));
    // Assess: stored whole, with this request's body.
    expect(stored).toBe('created');
    expect(await store.get(record.messageId)).toMatchObject({ messageId: record.messageId, status: 'accepted' });
    expect(await storedAt(record.messageId)).toBe(now.getTime());
  });

  it('takes a body it wrote itself as its own, when the SDK sends the write again (its answer lost)', async () => {
    // Prepare: this request's body is there already: its first write succeeded, the answer never came back.
    const now = new Date();
    const store = storeAt(() => now);
    const record = aRecord({ minute: 5 });
    await bodyLeftAlone(record, now);
    // Act
    const stored = await store.create(record, bundleOf(record));
    // Assess
    expect(stored).toBe('created');
    expect(await store.get(record.messageId)).toMatchObject({ messageId: record.messageId });
  });

  it('takes a record it wrote itself as its own, when the SDK sends the write again (its answer lost)', async () => {
    // Prepare: this request's body and record are there already: the record's put succeeded, its answer never came.
    const now = new Date();
    const record = aRecord({ minute: 6 });
    await storeAt(() => now).create(record, bundleOf(record));
    // Act: the same write again
    const stored = await storeAt(() => now).create(record, bundleOf(record));
    // Assess: stored, and its body kept
    expect(stored).toBe('created');
    expect(await storeAt(() => now).getBundle(record.messageId)).toEqual(bundleOf(record));
  });

  it("counts a message stored when its record's put went unanswered but was written, and keeps its body", async () => {
    // Prepare
    const store = storeAt(() => new Date(), 'answer lost');
    const record = aRecord({ minute: 7 });
    // Act
    const stored = await store.create(record, bundleOf(record));
    // Assess
    expect(stored).toBe('created');
    expect(await store.getBundle(record.messageId)).toEqual(bundleOf(record));
  });

  it("fails a message whose record's put went unanswered and was not written, and removes its body", async () => {
    // Prepare
    const store = storeAt(() => new Date(), 'never arrived');
    const record = aRecord({ minute: 8 });
    // Act
    const storing = store.create(record, bundleOf(record));
    // Assess: the request fails (its sender asks again), nothing of the message is left
    await expect(storing).rejects.toThrow('socket hang up');
    expect(await store.get(record.messageId)).toBeUndefined();
    expect(await storedAt(record.messageId)).toBeUndefined();
  });

  it('does not bring back a body its retention removed when the message is sent again', async () => {
    // Prepare: a message whose body the sweep has removed.
    const store = storeAt(() => new Date());
    const record = aRecord({ minute: 4 });
    await store.create(record, bundleOf(record));
    await dynamo.send(new DeleteItemCommand({ TableName: tables.bodies, Key: { messageId: { S: record.messageId } } }));
    // Act
    const again = await store.create({ ...record, requestId: crypto.randomUUID() }, bundleOf(record));
    // Assess
    expect(again).toBe('duplicate');
    expect(await store.getBundle(record.messageId)).toBeUndefined();
  });
});

describe('removing bodies past their retention (the sweep)', () => {
  it('goes oldest first, a batch at a time, each sweep from where the last stopped', async () => {
    // Prepare: three messages past their body retention, one not yet; each about a patient.
    const store = storeAt(() => new Date());
    const patient = { name: 'Alex Example', nhsNumber: '9000000009', birthDate: '1956-03-14' };
    // (Older than the other tests' messages, which are not yet due.)
    const earlyIn2026 = (minute: number) => ({
      ...aRecord({ minute, createdAt: `2026-01-01T00:${minute}:00.000Z` }),
      patient,
    });
    const expired = [10, 11, 12].map(earlyIn2026);
    const kept = earlyIn2026(40);
    for (const r of [...expired, kept]) await store.create(r, bundleOf(r));
    const sweepAt = new Date(Date.parse(expired[2]!.createdAt) + BODY_RETENTION_DAYS * 86_400_000 + 60_000);
    // Act: three sweeps of at most two bodies each.
    const removed = [];
    for (let sweep = 0; sweep < 3; sweep++) removed.push(await store.dropExpiredBodies(sweepAt, 2));
    // Assess: two, then the third, then nothing left to do; none twice.
    expect(removed).toEqual([2, 1, 0]);
    for (const r of expired) {
      expect(await store.getBundle(r.messageId)).toBeUndefined();
      expect((await store.get(r.messageId))?.patient).toBeUndefined();
    }
    expect(await store.getBundle(kept.messageId)).toEqual(bundleOf(kept));
    expect((await store.get(kept.messageId))?.patient).toEqual(patient);
  });
});
