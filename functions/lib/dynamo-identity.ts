import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AssertionLedger,
  ClientRegistry,
  PendingSignIn,
  PendingSignIns,
  RegisteredClient,
  RequestCounter,
  SessionLedger,
  SessionState,
} from '../../core/identity/identity-ports.js';
import { IDENTITY_KEYS } from './storage.js';

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The Identity table: client registrations, the client assertions already used (each jti once, kept until the
 * assertion lapses, then removed by TTL) and per-client request counts per throttling window (TTL too).
 */
export class DynamoIdentityStore
  implements ClientRegistry, AssertionLedger, RequestCounter, PendingSignIns, SessionLedger
{
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async client(clientId: string): Promise<RegisteredClient | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: IDENTITY_KEYS.client(clientId), ConsistentRead: true }),
    );
    return Item?.client as RegisteredClient | undefined;
  }

  async begin(sessionId: string, at: Date, until: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...IDENTITY_KEYS.session(sessionId), lastUsed: at.toISOString(), expiresAt: epochSeconds(until) },
      }),
    );
  }

  async use(sessionId: string, at: Date, idleSince: Date): Promise<SessionState> {
    try {
      // One conditional write: live (not ended) and used recently, then noted as used now.
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: IDENTITY_KEYS.session(sessionId),
          UpdateExpression: 'SET lastUsed = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ended) AND lastUsed >= :idleSince',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':idleSince': idleSince.toISOString() },
        }),
      );
      return 'live';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: IDENTITY_KEYS.session(sessionId), ConsistentRead: true }),
      );
      return !Item || Item.ended ? 'ended' : 'idle';
    }
  }

  async end(sessionId: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: IDENTITY_KEYS.session(sessionId),
          UpdateExpression: 'SET ended = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error; // gone already: nothing to end
      });
  }

  async register(client: RegisteredClient): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...IDENTITY_KEYS.client(client.clientId), client } }),
    );
  }

  async firstUse(clientId: string, jti: string, keepUntil: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...IDENTITY_KEYS.assertion(clientId, jti), expiresAt: epochSeconds(keepUntil) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async take(clientId: string, windowStart: Date, limit: number, keepUntil: Date, permits: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: IDENTITY_KEYS.requests(clientId, windowStart.toISOString()),
          UpdateExpression: 'ADD requests :permits SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(requests) OR requests <= :room',
          ExpressionAttributeValues: {
            ':permits': permits,
            ':room': limit - permits,
            ':expires': epochSeconds(keepUntil),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async remember(state: string, pending: PendingSignIn, keepUntil: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...IDENTITY_KEYS.signIn(state),
          pending,
          keepUntil: keepUntil.toISOString(),
          expiresAt: epochSeconds(keepUntil),
        },
      }),
    );
  }

  async claim(state: string): Promise<PendingSignIn | undefined> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: IDENTITY_KEYS.signIn(state), ReturnValues: 'ALL_OLD' }),
    );
    // TTL removes items within days, not seconds: one past its time is refused here.
    if (!Attributes || new Date(Attributes.keepUntil as string) < new Date()) return undefined;
    return Attributes.pending as PendingSignIn;
  }
}
