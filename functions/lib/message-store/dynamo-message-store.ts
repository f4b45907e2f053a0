import { type AttributeValue, ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MessageBundle } from '../../../core/fhir/bundle.js';
import { nhsNumberOf } from '../../../core/fhir/patient-index.js';
import type { MessageChange } from '../../../core/lifecycle/message-change.js';
import type { MessageRecord, MessageStatus } from '../../../core/lifecycle/message-record.js';
import { BODY_RETENTION_DAYS } from '../../../core/lifecycle/retention.js';
import { assertConditional } from '../../../core/lifecycle/transitions.js';
import type { MessageStore, Page } from '../../../core/ports.js';
import type { CursorCodec } from '../cursors.js';
import { unpackBody } from '../message-body.js';
import { BODIES_REMOVED_KEY } from '../storage.js';
import { changeExpression } from './change-expression.js';
import { newBodyItem, newMessageItem } from './items.js';
import { everyShard, MessageListings } from './listings.js';

/** Where a message is kept: its record (and index keys) in one table, its Bundle in another. */
export interface MessageTables {
  messages: string;
  bodies: string;
}

/**
 * A body stored this long ago whose record never followed was left by a request that died between its two writes
 * (the ingest function times out at 29 s): a new request for the message may store its own. A younger one may
 * belong to a request still at work.
 */
const ABANDONED_BODY_SECONDS = 30;

type Stored = 'created' | 'duplicate' | 'in-flight';

/**
 * Messages in DynamoDB: a message's Bundle is written first (claiming its identity among bodies), then its record,
 * whose conditional put is the durable yes (items.ts); so no record is ever without its body. Each change is one
 * conditional UpdateItem of the record (change-expression.ts); each listing an index query and a batch read of the
 * records it found (listings.ts).
 */
export class DynamoMessageStore implements MessageStore {
  private readonly listings: MessageListings;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: MessageTables,
    cursors: CursorCodec,
    /** The keyed hash a patient's messages are indexed by (core/fhir/patient-index.ts). */
    private readonly patientKey: (nhsNumber: string) => Promise<string>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.listings = new MessageListings(db, tables.messages, cursors);
  }

  async create(record: MessageRecord, bundle: MessageBundle, asReceived?: string): Promise<Stored> {
    const nhsNumber = nhsNumberOf(bundle);
    const storedAt = this.now();
    const [patientKey, body] = await Promise.all([
      nhsNumber ? this.patientKey(nhsNumber) : undefined,
      this.storeBody(newBodyItem(record, bundle, storedAt, asReceived)).catch(async (error: Error) => {
        // Perhaps written, its answer lost: removed, so the sender's retry need not wait for it to count as abandoned.
        await this.forgetBody(record.messageId, storedAt).catch(() => undefined);
        throw error;
      }),
    ]);
    if (body !== 'created') return body;
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.tables.messages,
          Item: newMessageItem(record, patientKey),
          // Or this request's own record: the SDK sends a write again when its answer was lost.
          ConditionExpression:
            'attribute_not_exists(messageId) OR (createdAt = :createdAt AND #record.#request = :request)',
          ExpressionAttributeNames: { '#record': 'record', '#request': 'requestId' },
          ExpressionAttributeValues: { ':createdAt': { S: record.createdAt }, ':request': { S: record.requestId } },
        }),
      );
      return 'created';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException))
        return this.afterRecordWriteUnknown(record, storedAt, error);
      // A message of this identity whose body retention removed: the body just written is not its to keep.
      await this.forgetBody(record.messageId, storedAt).catch(() => undefined);
      return 'duplicate';
    }
  }

  /**
   * The record's write failed with no answer whether it was written (every try of the SDK's lost): written, it is
   * this request's and the message is stored; not written, its body is removed (the sender's retry need not wait for
   * it to count as abandoned). Never the body of a stored record: when that cannot be told, it stays.
   */
  private async afterRecordWriteUnknown(record: MessageRecord, storedAt: Date, error: unknown): Promise<Stored> {
    const written = await this.get(record.messageId).catch(() => 'unknown' as const);
    if (written === 'unknown') throw error;
    if (written?.createdAt === record.createdAt && written.requestId === record.requestId) return 'created';
    await this.forgetBody(record.messageId, storedAt).catch(() => undefined);
    if (written) return 'duplicate';
    throw error;
  }

  /** Removes the body this request wrote (and only if it is still this request's, known by when it was stored). */
  private async forgetBody(messageId: string, storedAt: Date) {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tables.bodies,
        Key: { messageId },
        ConditionExpression: 'storedAt = :storedAt',
        ExpressionAttributeValues: { ':storedAt': storedAt.getTime() },
      }),
    );
  }

  /**
   * Writes a new message's body unless its identity is taken: by a message stored whole (a duplicate), by a request
   * still storing it (in flight), or by a request that stopped between its two writes (its body is replaced).
   */
  private async storeBody(item: Record<string, AttributeValue>): Promise<Stored> {
    const put = (condition: string, values?: Record<string, AttributeValue>) =>
      this.db.send(
        new PutItemCommand({
          TableName: this.tables.bodies,
          Item: item,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    try {
      // Or this request's own body: the SDK sends a write again when its answer was lost.
      await put('attribute_not_exists(messageId) OR storedAt = :mine', { ':mine': item.storedAt! });
      return 'created';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    if (await this.get(item.messageId!.S!)) return 'duplicate';
    const abandonedBefore = this.now().getTime() - ABANDONED_BODY_SECONDS * 1000;
    try {
      await put('storedAt < :abandonedBefore', { ':abandonedBefore': { N: String(abandonedBefore) } });
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'in-flight';
      throw error;
    }
  }

  async get(messageId: string): Promise<MessageRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tables.messages,
        Key: { messageId },
        ProjectionExpression: '#record',
        ExpressionAttributeNames: { '#record': 'record' },
        ConsistentRead: true,
      }),
    );
    return Item?.record as MessageRecord | undefined;
  }

  getMany(messageIds: readonly string[]): Promise<MessageRecord[]> {
    return this.listings.records(messageIds.map((messageId) => ({ messageId })));
  }

  async getBundle(messageId: string): Promise<MessageBundle | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tables.bodies,
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
    const expression = changeExpression(messageId, change);
    if (!expression) return this.get(messageId);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.messages,
          Key: { messageId },
          ...expression,
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
    return this.listings.page({ index: 'bySender', partition: organisation, order: 'newest-first' }, limit, cursor);
  }

  listByReceiver(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.listings.page({ index: 'byReceiver', partition: organisation, order: 'newest-first' }, limit, cursor);
  }

  async listByPatient(nhsNumber: string, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    const partition = await this.patientKey(nhsNumber);
    return this.listings.page({ index: 'byPatient', partition, order: 'newest-first' }, limit, cursor);
  }

  countToService(organisation: string, serviceId: string, since: Date): Promise<number> {
    return this.listings.count({
      index: 'byReceiver',
      partition: organisation,
      since: since.toISOString(),
      order: 'oldest-first',
      filter: { attribute: 'serviceId', equals: serviceId },
    });
  }

  listByStatus(status: MessageStatus, limit: number, cursor?: string, before?: Date): Promise<Page<MessageRecord>> {
    const query = before
      ? { before: before.toISOString(), order: 'oldest-first' as const }
      : { order: 'newest-first' as const };
    return this.listings.page({ index: 'byStatus', partition: status, ...query }, limit, cursor);
  }

  listByCorrelation(correlationId: string, limit: number): Promise<Page<MessageRecord>> {
    return this.listings.page({ index: 'byCorrelation', partition: correlationId, order: 'oldest-first' }, limit);
  }

  listMailbox(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.listings.page({ index: 'byMailbox', partition: organisation, order: 'oldest-first' }, limit, cursor);
  }

  /** Every message in these statuses, through the status index page by page (the local hub's recovery at start). */
  async listAllInStatuses(statuses: readonly MessageStatus[]): Promise<MessageRecord[]> {
    const records: MessageRecord[] = [];
    for (const status of statuses) {
      let cursor: string | undefined;
      do {
        const page = await this.listByStatus(status, RECOVERY_PAGE, cursor);
        records.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
    }
    return records;
  }

  /** Every message, newest first, from the shards of the byShard index. */
  listAll(limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.listings.merged(everyShard({ index: 'byShard', order: 'newest-first' }), limit, cursor);
  }

  /** Every message escalated past its deadline, most recently escalated first (the sparse byOverdue index). */
  listOverdue(limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    return this.listings.merged(everyShard({ index: 'byOverdue', order: 'newest-first' }), limit, cursor);
  }

  /** The Tasks an organisation requested or owns (the two sparse task indexes), or every Task for ops (byTask). */
  listTasks(organisation: string | undefined, limit: number, cursor?: string): Promise<Page<MessageRecord>> {
    const queries =
      organisation === undefined
        ? everyShard({ index: 'byTask', order: 'newest-first' })
        : (['byTaskRequester', 'byTaskOwner'] as const).map((index) => ({
            index,
            partition: organisation,
            order: 'newest-first' as const,
          }));
    return this.listings.merged(queries, limit, cursor);
  }

  /** Watched messages past their deadline, oldest deadline first, from every shard of the byDue index. */
  async listDue(before: Date, limit: number): Promise<MessageRecord[]> {
    const due = everyShard({ index: 'byDue', before: before.toISOString(), order: 'oldest-first' });
    return this.listings.records(await this.listings.earliest(due, limit));
  }

  /**
   * Removes the bodies whose retention has passed, oldest first (a body's retention runs from its message's arrival,
   * so the byShard index lists them in order), and with each its patient from the record; returns how many. Where it
   * got to (the last message's arrival and identity) is kept, so each sweep reads only what it has not done.
   */
  async dropExpiredBodies(now: Date, limit: number): Promise<number> {
    const due = new Date(now.getTime() - BODY_RETENTION_DAYS * 86_400_000).toISOString();
    const { Item: reached } = await this.db.send(
      new GetCommand({ TableName: this.tables.bodies, Key: BODIES_REMOVED_KEY, ConsistentRead: true }),
    );
    // Every arrival time sorts after '0000'.
    const since = (reached?.arrivedAt as string | undefined) ?? '0000';
    const found = await this.listings.earliest(
      everyShard({ index: 'byShard', between: [since, due], order: 'oldest-first' }),
      limit,
    );
    const doneAlready = (item: Record<string, unknown>) =>
      item.createdAt === reached?.arrivedAt && String(item.messageId) <= String(reached?.lastMessageId);
    const expired = found.filter((item) => !doneAlready(item));
    for (const { messageId } of expired) await this.dropBody(messageId as string);
    // A full batch stops at its last message (the next sweep goes on after it); a short one read everything due.
    const last = found.length === limit ? found.at(-1) : undefined;
    await this.db.send(
      new PutCommand({
        TableName: this.tables.bodies,
        Item: {
          ...BODIES_REMOVED_KEY,
          ...(last ? { arrivedAt: last.createdAt, lastMessageId: last.messageId } : { arrivedAt: due }),
        },
      }),
    );
    return expired.length;
  }

  /** A body removed, and who it was about with it: the record keeps only what the hub did. */
  private async dropBody(messageId: string) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.messages,
        Key: { messageId },
        UpdateExpression: 'REMOVE #record.#patient',
        ExpressionAttributeNames: { '#record': 'record', '#patient': 'patient' },
        ConditionExpression: 'attribute_exists(messageId)',
      }),
    );
    await this.db.send(new DeleteCommand({ TableName: this.tables.bodies, Key: { messageId } }));
  }
}

/** Records read per page while recovering what is owed a delivery. */
const RECOVERY_PAGE = 100;
