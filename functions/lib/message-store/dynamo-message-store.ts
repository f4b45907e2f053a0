import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageBundle } from '../../../core/fhir/bundle.js';
import { nhsNumberOf } from '../../../core/fhir/patient-index.js';
import type { MessageChange } from '../../../core/lifecycle/message-change.js';
import type { MessageRecord, MessageStatus } from '../../../core/lifecycle/message-record.js';
import { assertConditional } from '../../../core/lifecycle/transitions.js';
import type { MessageStore, Page } from '../../../core/ports.js';
import type { CursorCodec } from '../cursors.js';
import { unpackBody } from '../message-body.js';
import { changeExpression } from './change-expression.js';
import { newMessageItem } from './items.js';
import { everyShard, MessageListings } from './listings.js';

/**
 * Messages in DynamoDB: one item per message (items.ts), so creating it is the single atomic step that both stores
 * the message and claims its identity; each change one conditional UpdateItem (change-expression.ts); each listing an
 * index query and a batch read of the records it found (listings.ts).
 */
export class DynamoMessageStore implements MessageStore {
  private readonly listings: MessageListings;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    cursors: CursorCodec,
    /** The keyed hash a patient's messages are indexed by (core/fhir/patient-index.ts). */
    private readonly patientKey: (nhsNumber: string) => Promise<string>,
  ) {
    this.listings = new MessageListings(db, tableName, cursors);
  }

  async create(record: MessageRecord, bundle: MessageBundle, asReceived?: string): Promise<'created' | 'duplicate'> {
    const nhsNumber = nhsNumberOf(bundle);
    const patientKey = nhsNumber ? await this.patientKey(nhsNumber) : undefined;
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: newMessageItem(record, bundle, patientKey, asReceived),
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

  getMany(messageIds: readonly string[]): Promise<MessageRecord[]> {
    return this.listings.records(messageIds.map((messageId) => ({ messageId })));
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
    const expression = changeExpression(messageId, change);
    if (!expression) return this.get(messageId);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
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

  /** Removes the bodies whose retention has passed (the record and timeline stay); returns how many. */
  async dropExpiredBodies(before: Date, limit: number): Promise<number> {
    const expired = await this.listings.earliest(
      everyShard({ index: 'byBodyExpiry', before: before.toISOString(), order: 'oldest-first' }),
      limit,
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
}

/** Records read per page while recovering what is owed a delivery. */
const RECOVERY_PAGE = 100;
