import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBundle } from '../../core/fhir/bundle.js';
import { patientIndexKey } from '../../core/fhir/patient-index.js';
import { SYSTEMS } from '../../core/fhir/systems.js';
import { DELIVERABLE } from '../../core/lifecycle/delivery-lifecycle.js';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { BODY_RETENTION_DAYS } from '../../core/lifecycle/retention.js';
import { statusChangeFromAny } from '../../core/lifecycle/transitions.js';
import type { MessageStore } from '../../core/ports.js';
import { CursorCodec } from '../../functions/lib/cursors.js';
import { DynamoMessageStore } from '../../functions/lib/message-store/dynamo-message-store.js';
import { givenSecret } from '../../functions/lib/secrets.js';
import { MESSAGE_BODIES_TABLE, MESSAGES_TABLE } from '../../functions/lib/storage.js';
import { type EmbeddedServices, LOCAL_AWS, startEmbeddedServices } from '../../local/embedded.js';
import { InMemoryMessageStore } from '../support/in-memory.js';
import { aRecord, bundleOf } from '../support/records.js';

/** A stored message record, made distinct by its creation time. */
const at = new Date('2026-11-23T10:00:00Z');

/** Reads every page of a listing, checking each page keeps to the limit. */
async function allPages(
  read: (cursor?: string) => Promise<{ items: MessageRecord[]; cursor?: string }>,
  limit: number,
) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await read(cursor);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((r) => r.messageId));
    cursor = page.cursor;
    pages++;
  } while (cursor && pages < 50);
  return ids;
}

/** The MessageStore contract, run against every implementation the hub or its tests use. */
function honoursTheStoreContract(name: string, open: () => Promise<MessageStore>) {
  describe(`${name} honours the MessageStore contract`, () => {
    let store: MessageStore;
    beforeAll(async () => {
      store = await open();
    });

    it('creates a message once; the same identity again is a duplicate', async () => {
      const record = aRecord({ minute: 1 });
      expect(await store.create(record, bundleOf(record))).toBe('created');
      expect(await store.create({ ...record, requestId: 'other' }, bundleOf(record))).toBe('duplicate');
      expect(await store.get(record.messageId)).toEqual(record);
      expect(await store.getBundle(record.messageId)).toEqual(bundleOf(record));
      expect(await store.get(crypto.randomUUID())).toBeUndefined();
    });

    it('changes status only from the status it expects, and reports a lost race as undefined', async () => {
      const record = aRecord({ minute: 2 });
      await store.create(record, bundleOf(record));
      const event = { at: at.toISOString(), type: 'queued' as const };
      const queued = await store.update(record.messageId, {
        expect: { status: 'accepted' },
        status: 'queued',
        events: [event],
        at,
      });
      expect(queued).toMatchObject({ status: 'queued', updatedAt: at.toISOString(), timeline: [event] });
      expect(
        await store.update(record.messageId, { expect: { status: 'accepted' }, status: 'queued', events: [], at }),
      ).toBeUndefined();
      expect(
        await store.update(crypto.randomUUID(), { expect: { status: 'accepted' }, status: 'queued', events: [], at }),
      ).toBeUndefined();
    });

    it('claims an attempt only while attempts has the value expected', async () => {
      const record = aRecord({ minute: 3, status: 'queued' });
      await store.create(record, bundleOf(record));
      const claim = {
        expect: { status: 'queued' as const, attempts: 0 },
        status: 'delivering' as const,
        attempts: 1,
        events: [],
        at,
      };
      expect(await store.update(record.messageId, claim)).toMatchObject({ status: 'delivering', attempts: 1 });
      expect(
        await store.update(record.messageId, { ...claim, expect: { status: 'delivering', attempts: 0 } }),
      ).toBeUndefined();
    });

    it('claims from any of several statuses in one write, counting the attempt whatever the count was', async () => {
      const record = aRecord({ minute: 7, status: 'retrying' });
      await store.create({ ...record, attempts: 2 }, bundleOf(record));
      const claim = statusChangeFromAny(DELIVERABLE, 'delivering', { incrementAttempts: true, events: [], at });
      expect(await store.update(record.messageId, claim)).toMatchObject({ status: 'delivering', attempts: 3 });
      // Claimed: no longer in a status a delivery starts from, so a second claim loses.
      expect(await store.update(record.messageId, claim)).toBeUndefined();
      expect(await store.get(record.messageId)).toMatchObject({ status: 'delivering', attempts: 3 });
    });

    it("changes the receiver's outcome only from the outcome it expects ('none' when there is none)", async () => {
      const record = aRecord({ minute: 4, status: 'delivered' });
      await store.create(record, bundleOf(record));
      expect(
        await store.update(record.messageId, { expect: { outcome: 'accepted' }, outcome: 'completed', events: [], at }),
      ).toBeUndefined();
      const accepted = await store.update(record.messageId, {
        expect: { outcome: 'none' },
        outcome: 'accepted',
        events: [],
        at,
      });
      expect(accepted).toMatchObject({ outcome: 'accepted', status: 'delivered' });
      expect(
        await store.update(record.messageId, { expect: { outcome: 'none' }, outcome: 'rejected', events: [], at }),
      ).toBeUndefined();
      const completed = await store.update(record.messageId, {
        expect: { outcome: 'accepted' },
        outcome: 'completed',
        outcomeReason: 'seen',
        events: [],
        at,
      });
      expect(completed).toMatchObject({ outcome: 'completed', outcomeReason: 'seen', status: 'delivered' });
    });

    it('refuses a status or outcome write that does not name the state it replaces', async () => {
      const record = aRecord({ minute: 5 });
      await store.create(record, bundleOf(record));
      await expect(store.update(record.messageId, { status: 'queued', events: [], at })).rejects.toThrow(
        /status write/,
      );
      await expect(store.update(record.messageId, { outcome: 'accepted', events: [], at })).rejects.toThrow(
        /outcome write/,
      );
    });

    it('appends timeline events without moving updatedAt ("in this status since")', async () => {
      const record = aRecord({ minute: 6 });
      await store.create(record, bundleOf(record));
      const events = [{ at: at.toISOString(), type: 'fetched' as const }];
      const updated = await store.update(record.messageId, { events, at });
      expect(updated).toMatchObject({ timeline: events, updatedAt: record.updatedAt });
    });

    it('lists a mailbox oldest first while its messages wait, and forgets them when taken out', async () => {
      const mailbox = `Z8M${crypto.randomUUID().slice(0, 4)}`;
      const records = [aRecord({ minute: 12 }), aRecord({ minute: 10 }), aRecord({ minute: 11 })];
      for (const r of records) {
        await store.create(r, bundleOf(r));
        await store.update(r.messageId, { mailbox, events: [], at });
      }
      const ids = await allPages((cursor) => store.listMailbox(mailbox, 2, cursor), 2);
      expect(ids).toEqual([records[1]!, records[2]!, records[0]!].map((r) => r.messageId));
      await store.update(records[1]!.messageId, { mailbox: null, events: [], at });
      expect((await store.listMailbox(mailbox, 10)).items.map((r) => r.messageId)).toEqual(
        [records[2]!, records[0]!].map((r) => r.messageId),
      );
    });

    it("pages a sender's messages newest first, through limit and cursor", async () => {
      const sender = `Z8S${crypto.randomUUID().slice(0, 4)}`;
      const records = [20, 24, 21, 23, 22].map((minute) => aRecord({ minute, senderOrganisation: sender }));
      for (const r of records) await store.create(r, bundleOf(r));
      const newestFirst = [...records].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((r) => r.messageId);
      expect(await allPages((cursor) => store.listBySender(sender, 2, cursor), 2)).toEqual(newestFirst);
    });

    it("pages a receiver's messages newest first, and one sent elsewhere moves to the other's list", async () => {
      const receiver = `Z8R${crypto.randomUUID().slice(0, 4)}`;
      const destination = { organisation: receiver, channel: 'mailbox' as const };
      const records = [50, 52, 51].map((minute) => aRecord({ minute, destination }));
      for (const r of records) await store.create(r, bundleOf(r));
      const newestFirst = [records[1]!, records[2]!, records[0]!].map((r) => r.messageId);
      expect(await allPages((cursor) => store.listByReceiver(receiver, 2, cursor), 2)).toEqual(newestFirst);
      const elsewhere = { organisation: `${receiver}X`, channel: 'mailbox' as const };
      await store.update(records[0]!.messageId, { destination: elsewhere, events: [], at });
      expect((await store.listByReceiver(receiver, 10)).items.map((r) => r.messageId)).toEqual(newestFirst.slice(0, 2));
      expect((await store.listByReceiver(elsewhere.organisation, 10)).items.map((r) => r.messageId)).toEqual([
        records[0]!.messageId,
      ]);
    });

    it("finds a patient's messages by NHS number, newest first, and no other patient's", async () => {
      const nhsNumber = String(Math.floor(Math.random() * 1e10)).padStart(10, '0');
      const about =
        (nhs: string) =>
        (record: MessageRecord): MessageBundle => ({
          ...bundleOf(record),
          entry: [{ resource: { resourceType: 'Patient', identifier: [{ system: SYSTEMS.nhsNumber, value: nhs }] } }],
        });
      const theirs = [60, 62].map((minute) => aRecord({ minute }));
      const other = aRecord({ minute: 61 });
      for (const r of theirs) await store.create(r, about(nhsNumber)(r));
      await store.create(other, about('9999999999')(other));
      expect(await allPages((cursor) => store.listByPatient(nhsNumber, 1, cursor), 1)).toEqual(
        [theirs[1]!, theirs[0]!].map((r) => r.messageId),
      );
    });

    it('pages a case oldest first', async () => {
      const correlationId = crypto.randomUUID();
      const records = [31, 30].map((minute) => aRecord({ minute, correlationId }));
      for (const r of records) await store.create(r, bundleOf(r));
      expect((await store.listByCorrelation(correlationId, 10)).items.map((r) => r.messageId)).toEqual(
        [records[1]!, records[0]!].map((r) => r.messageId),
      );
    });

    it('lists by status, and those standing still since before a time oldest first (the sweep)', async () => {
      const records = [41, 40, 42].map((minute) => aRecord({ minute, status: 'retrying' }));
      for (const r of records) await store.create(r, bundleOf(r));
      const inStatus = await allPages((cursor) => store.listByStatus('retrying', 2, cursor), 2);
      expect(inStatus).toEqual(expect.arrayContaining(records.map((r) => r.messageId)));
      const before = new Date(Date.UTC(2026, 10, 23, 9, 42));
      const stuck = (await store.listByStatus('retrying', 10, undefined, before)).items.map((r) => r.messageId);
      expect(stuck).toEqual([records[1]!, records[0]!].map((r) => r.messageId));
      expect((await store.listAllInStatuses(['retrying'])).map((r) => r.messageId).sort()).toEqual(
        records.map((r) => r.messageId).sort(),
      );
    });

    it("changes a Task's status only from the one expected, and watches deadlines until cleared", async () => {
      const owner = `Z8O${crypto.randomUUID().slice(0, 4)}`;
      const task = aRecord({
        minute: 60,
        destination: { organisation: owner, channel: 'mailbox' },
        dueAt: '2026-11-23T12:00:00.000Z',
        task: { status: 'requested', notes: [] },
      });
      const later = aRecord({ minute: 61, dueAt: '2026-11-23T13:00:00.000Z' });
      await store.create(task, bundleOf(task));
      await store.create(later, bundleOf(later));
      const due = (before: string) =>
        store
          .listDue(new Date(before), 100)
          .then((rs) => rs.map((r) => r.messageId).filter((id) => [task.messageId, later.messageId].includes(id)));
      expect(await due('2026-11-23T12:00:00.000Z')).toEqual([]); // strictly before
      expect(await due('2026-11-23T12:00:01.000Z')).toEqual([task.messageId]);
      expect(await due('2026-11-24T00:00:00.000Z')).toEqual([task.messageId, later.messageId]);
      const accepted = { status: 'accepted' as const, notes: [{ at: at.toISOString(), author: owner, text: 'seen' }] };
      expect(
        await store.update(task.messageId, { expect: { taskStatus: 'received' }, task: accepted, events: [], at }),
      ).toBeUndefined();
      expect(
        await store.update(task.messageId, { expect: { taskStatus: 'requested' }, task: accepted, events: [], at }),
      ).toMatchObject({ task: accepted });
      await expect(store.update(task.messageId, { task: accepted, events: [], at })).rejects.toThrow(/task write/);
      const escalated = await store.update(task.messageId, {
        expect: { due: true },
        clearDue: true,
        overdue: true,
        events: [],
        at,
      });
      expect(escalated).toMatchObject({ overdue: true });
      const overdue = await allPages((cursor) => store.listOverdue(1, cursor), 1);
      expect(overdue).toContain(task.messageId);
      expect(overdue).not.toContain(later.messageId);
      expect(
        await store.update(task.messageId, { expect: { due: true }, clearDue: true, overdue: true, events: [], at }),
      ).toBeUndefined();
      expect(await due('2026-11-24T00:00:00.000Z')).toEqual([later.messageId]);
      // Settled (answered or withdrawn): off the overdue list, and no longer marked overdue.
      expect(await store.update(task.messageId, { overdue: false, events: [], at })).toMatchObject({ overdue: false });
      expect(await allPages((cursor) => store.listOverdue(1, cursor), 1)).not.toContain(task.messageId);
      const mine = await allPages((cursor) => store.listTasks(owner, 2, cursor), 2);
      expect(mine).toEqual([task.messageId]);
      expect(await allPages((cursor) => store.listTasks(task.senderOrganisation, 5, cursor), 5)).toContain(
        task.messageId,
      );
      const everyTask = await allPages((cursor) => store.listTasks(undefined, 3, cursor), 3);
      expect(everyTask).toContain(task.messageId);
      expect(everyTask).not.toContain(later.messageId); // not a Task
    });

    it('lists every Task for ops on its first page however many newer messages are not Tasks', async () => {
      const task = aRecord({
        minute: 30,
        kind: 'request',
        task: { status: 'requested', notes: [] },
      });
      await store.create(task, bundleOf(task));
      const newer = Array.from({ length: 40 }, (_, i) => aRecord({ minute: 31 + i }));
      for (const r of newer) await store.create(r, bundleOf(r));
      const firstPage = await store.listTasks(undefined, 2);
      expect(firstPage.items.map((r) => r.messageId)).toContain(task.messageId);
      expect(firstPage.items.every((r) => r.task !== undefined)).toBe(true);
    });

    it('places a message in its mailbox in one write, only while it is to be delivered to that mailbox', async () => {
      const record = aRecord({ minute: 71, status: 'queued' });
      await store.create(record, bundleOf(record));
      const place = (organisation: string) =>
        store.update(
          record.messageId,
          statusChangeFromAny(DELIVERABLE, 'in-mailbox', {
            expect: { mailboxOf: organisation },
            incrementAttempts: true,
            mailbox: organisation,
            events: [],
            at,
          }),
        );
      expect(await place('Z8T999')).toBeUndefined(); // not this message's mailbox
      expect(await place(record.destination.organisation)).toMatchObject({ status: 'in-mailbox', attempts: 1 });
      expect((await store.listMailbox(record.destination.organisation, 100)).items.map((r) => r.messageId)).toContain(
        record.messageId,
      );
      expect(await place(record.destination.organisation)).toBeUndefined(); // placed already
    });

    it('removes bodies past their retention, and who they were about, and keeps the records', async () => {
      const patient = { name: 'Alex Example', nhsNumber: '9000000009', birthDate: '1956-03-14' };
      const old = { ...aRecord({ minute: 7, createdAt: '2025-01-01T00:00:00.000Z' }), patient };
      const recent = { ...aRecord({ minute: 8 }), patient };
      for (const r of [old, recent]) await store.create(r, bundleOf(r));
      const beforeRetentionEnds = new Date(Date.parse(old.createdAt) + (BODY_RETENTION_DAYS - 1) * 86_400_000);
      await store.dropExpiredBodies(beforeRetentionEnds, 1000);
      expect(await store.getBundle(old.messageId)).toEqual(bundleOf(old));
      const afterRetention = new Date(Date.parse(old.createdAt) + (BODY_RETENTION_DAYS + 1) * 86_400_000);
      expect(await store.dropExpiredBodies(afterRetention, 1000)).toBeGreaterThanOrEqual(1);
      expect(await store.getBundle(old.messageId)).toBeUndefined();
      const kept = await store.get(old.messageId);
      expect(kept).toMatchObject({ messageId: old.messageId });
      expect(kept?.patient).toBeUndefined();
      expect(await store.getBundle(recent.messageId)).toEqual(bundleOf(recent));
      expect((await store.get(recent.messageId))?.patient).toEqual(patient);
    });

    it('pages every message newest first, each exactly once', async () => {
      const records = Array.from({ length: 9 }, (_, i) => aRecord({ minute: 80 + i }));
      for (const r of records) await store.create(r, bundleOf(r));
      const ids = await allPages((cursor) => store.listAll(4, cursor), 4);
      expect(new Set(ids).size).toBe(ids.length);
      const ours = ids.filter((id) => records.some((r) => r.messageId === id));
      expect(ours).toEqual([...records].reverse().map((r) => r.messageId));
      expect(ids.indexOf(records.at(-1)!.messageId)).toBe(0); // the newest of all
    });
  });
}

let services: EmbeddedServices;
let client: DynamoDBDocumentClient;
beforeAll(async () => {
  services = await startEmbeddedServices();
  client = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint }), {
    marshallOptions: { removeUndefinedValues: true },
  });
});
afterAll(async () => {
  client?.destroy();
  await services?.stop();
});

honoursTheStoreContract('the DynamoDB store (on dynalite)', async () => {
  return new DynamoMessageStore(
    client,
    {
      messages: services.tableNames[MESSAGES_TABLE.envVar]!,
      bodies: services.tableNames[MESSAGE_BODIES_TABLE.envVar]!,
    },
    new CursorCodec(givenSecret('contract-test-cursor-key')),
    patientIndexKey(givenSecret('contract-test-search-key')),
  );
});
honoursTheStoreContract('the in-memory store of the unit tests', async () => new InMemoryMessageStore());
