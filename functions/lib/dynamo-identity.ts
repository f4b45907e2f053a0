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
} from '../../core/identity/identity.js';
import { IDENTITY_KEYS } from './resources.js';

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The Identity table: client registrations, the client assertions already used (each jti once, kept until the
 * assertion lapses, then removed by TTL) and per-client request counts per throttling window (TTL too).
 */
export class DynamoIdentityStore implements ClientRegistry, AssertionLedger, RequestCounter, PendingSignIns {
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
