import type { MessageBundle } from './fhir/bundle.js';
import type { Destination, MessageRecord, MessageStatus, TimelineEvent } from './lifecycle/message-record.js';
import type { NetworkDefinition } from './routing/network.js';
import type { CompiledNetwork } from './routing/resolve.js';

/** Ports: what the domain core needs from the outside. DynamoDB, SQS and fhir-kit-client adapters live in functions/lib. */

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface MessageChange {
  /** Only when the current status is one of these. */
  fromStatuses?: readonly MessageStatus[];
  /** Only when attempts has this value (claims an attempt exactly once). */
  expectAttempts?: number;
  status?: MessageStatus;
  attempts?: number;
  outcome?: MessageRecord['outcome'];
  outcomeReason?: string;
  destination?: Destination;
  replays?: number;
  /** Forget the receiver's outcome (a replay starts the delivery afresh). */
  clearOutcome?: boolean;
  /** Put into (organisation) or take out of (null) its mailbox listing. */
  mailbox?: string | null;
  events: TimelineEvent[];
  at: Date;
}

export interface MessageStore {
  /** Stores a new message and its Bundle in one conditional write; 'duplicate' when the identity exists. */
  create(record: MessageRecord, bundle: MessageBundle): Promise<'created' | 'duplicate'>;
  get(messageId: string): Promise<MessageRecord | undefined>;
  getBundle(messageId: string): Promise<MessageBundle | undefined>;
  /** Applies a change atomically; undefined when its conditions do not hold (someone else got there first). */
  update(messageId: string, change: MessageChange): Promise<MessageRecord | undefined>;
  listBySender(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  listByStatus(
    status: MessageStatus,
    limit: number,
    cursor?: string,
    updatedBefore?: Date,
  ): Promise<Page<MessageRecord>>;
  listMailbox(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  /** The messages of one case (X-Correlation-Id), oldest first. */
  listByCorrelation(correlationId: string, limit: number): Promise<Page<MessageRecord>>;
}

export interface DeliveryQueue {
  enqueue(messageId: string, delaySeconds?: number): Promise<void>;
}

export interface PushRequest {
  address: string;
  bundle: MessageBundle;
  requestId: string;
  correlationId: string;
  timeoutMs: number;
}
/** status: the receiver's HTTP status; undefined when it did not answer. */
export interface PushResult {
  status?: number;
  detail: string;
}

export interface Transport {
  push(request: PushRequest): Promise<PushResult>;
}

export interface Directory {
  /** The compiled network a practice belongs to (cached in memory; refreshed when the tables change). */
  networkOfPractice(odsCode: string): Promise<CompiledNetwork | undefined>;
  /** The network an organisation (practice, provider) belongs to, for return addresses. */
  networkOfOrganisation(odsCode: string): Promise<CompiledNetwork | undefined>;
  listNetworks(): Promise<NetworkDefinition[]>;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
