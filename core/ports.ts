import type { OperationOutcome } from 'fhir/r4';
import type { MessageBundle } from './fhir/bundle.js';
import type { MessageStatus } from './lifecycle/delivery-lifecycle.js';
import type { MessageChange } from './lifecycle/message-change.js';
import type { MessageRecord, QueuedDelivery } from './lifecycle/message-record.js';
import type { Alert, AlertAcknowledgement, AlertCondition, TrafficIncrement, TrafficRow } from './operations.js';
import type { ServiceAvailability } from './routing/availability.js';
import type { NetworkDefinition } from './routing/network.js';
import type { CompiledNetwork } from './routing/resolve.js';

/** Ports: what the domain core needs from the outside. DynamoDB, SQS and fhir-kit-client adapters live in functions/lib. */

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface MessageStore {
  /**
   * Stores a new message and its Bundle, the record last (no record is ever without its Bundle); 'duplicate' when a
   * message of that identity is stored, 'in-flight' while another request is storing it. `asReceived` is the
   * Bundle's text exactly as its sender sent it, when it has one: that is what is kept and delivered, so the hub
   * passes a message on as a BaRS proxy does, unchanged.
   */
  create(
    record: MessageRecord,
    bundle: MessageBundle,
    asReceived?: string,
  ): Promise<'created' | 'duplicate' | 'in-flight'>;
  get(messageId: string): Promise<MessageRecord | undefined>;
  /** The records of these messages (those that exist), read together: for a watch that needs many at once. */
  getMany(messageIds: readonly string[]): Promise<MessageRecord[]>;
  getBundle(messageId: string): Promise<MessageBundle | undefined>;
  /** Applies a change atomically; undefined when its expected state does not hold (someone else got there first). */
  update(messageId: string, change: MessageChange): Promise<MessageRecord | undefined>;
  /** Newest first. */
  listBySender(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  /** Delivered (or being delivered) to the organisation, newest first, whatever their status. */
  listByReceiver(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  /** Messages about the patient with this NHS number, newest first (found through a keyed hash, never in clear). */
  listByPatient(nhsNumber: string, limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  /** How many messages were routed to one service of the organisation since a time (a weekly capacity's count). */
  countToService(organisation: string, serviceId: string, since: Date): Promise<number>;
  /** Newest first; with updatedBefore, those in the status since before then, oldest first (the sweep's view). */
  listByStatus(
    status: MessageStatus,
    limit: number,
    cursor?: string,
    updatedBefore?: Date,
  ): Promise<Page<MessageRecord>>;
  /** Every message, newest first (ops). */
  listAll(limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  /** Waiting in an organisation's mailbox, oldest first. */
  listMailbox(organisation: string, limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  /** The messages of one case (X-Correlation-Id), oldest first. */
  listByCorrelation(correlationId: string, limit: number): Promise<Page<MessageRecord>>;
  /** Messages escalated past their deadline, most recently escalated first (ops). */
  listOverdue(limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  /** Messages still watched whose deadline is before `before`, oldest deadline first (the deadline sweep). */
  listDue(before: Date, limit: number): Promise<MessageRecord[]>;
  /** Care-home Tasks an organisation requested or owns (every Task when undefined: ops), newest first. */
  listTasks(organisation: string | undefined, limit: number, cursor?: string): Promise<Page<MessageRecord>>;
  /** Removes the bodies (and the records' patients) of messages past BODY_RETENTION_DAYS at `now`; how many. */
  dropExpiredBodies(now: Date, limit: number): Promise<number>;
  /** Every message in these statuses, page after page: the local hub's recovery at start (what is owed a delivery). */
  listAllInStatuses(statuses: readonly MessageStatus[]): Promise<MessageRecord[]>;
}

export interface DeliveryQueue {
  enqueue(delivery: QueuedDelivery): Promise<void>;
  /** Backoff without sleeping: the received record (by its receipt) becomes visible again after the delay. */
  retryAfter(receipt: string, delaySeconds: number): Promise<void>;
  /** Records on the queue now: waiting, in flight and delayed (approximate, as SQS counts them). */
  depth(): Promise<number>;
}

/** What ops watch: the traffic counters (kept as messages change) and the hub's alerts. */
export interface OperationsStore {
  /** Adds counts to their items (one write per item: callers merge a batch first). */
  addTraffic(increments: readonly TrafficIncrement[]): Promise<void>;
  /** Every counter item from one hour to another (inclusive; ISO hours like 2026-12-02T13), shards unsummed. */
  readTraffic(fromHour: string, toHour: string): Promise<TrafficRow[]>;
  /** Opens an alert unless it is open already; true when this call opened it. */
  raiseAlert(condition: AlertCondition, at: Date): Promise<boolean>;
  /** Clears an open alert; true when this call cleared it. */
  clearAlert(key: string, at: Date): Promise<boolean>;
  /** Marks an open, unacknowledged alert as in hand; true when this call did (a raise again clears the mark). */
  acknowledgeAlert(key: string, acknowledgement: AlertAcknowledgement): Promise<boolean>;
  /**
   * Alerts in one state, newest first, a page at a time: the open by when they were raised, the cleared by when they
   * cleared (back to `since`; the store may drop older ones).
   */
  listAlerts(state: Alert['state'], page: { limit: number; cursor?: string; since?: Date }): Promise<Page<Alert>>;
  /** How many alerts are open now, counted up to `atMost`. */
  countOpenAlerts(atMost: number): Promise<number>;
  /** One alert, by its key. */
  getAlert(key: string): Promise<Alert | undefined>;
  /** Records that something happened once (a day's digest sent); true for the first caller only. */
  markOnce(key: string, at: Date): Promise<boolean>;
}

/** An email to a team's shared mailbox (SES on AWS; caught by the local hub). Never patient data. */
export interface Email {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(email: Email): Promise<void>;
}

export interface PushRequest {
  address: string;
  bundle: MessageBundle;
  /** The BaRS request headers (core/fhir/bars-headers.ts), sent as they are. */
  headers: Record<string, string>;
  timeoutMs: number;
}
/**
 * status: the receiver's HTTP status; undefined when it did not answer. answer: its OperationOutcome, when its
 * body was one; retryAfterSeconds: its Retry-After, when it gave one in seconds.
 */
export interface PushResult {
  status?: number;
  detail: string;
  answer?: OperationOutcome;
  retryAfterSeconds?: number;
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
  /** What the receiving teams have said of their intake (not accepting, weekly capacity). */
  listAvailability(): Promise<ServiceAvailability[]>;
  /** A team's say over one service's intake; every hub sees it within its refresh interval. */
  setAvailability(availability: ServiceAvailability): Promise<void>;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** The hub's structured log: ids, codes and statuses, never patient data (Powertools' logger in the Lambdas). */
export interface HubLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export type HubMetric =
  | 'MessageAccepted'
  | 'RequestRefused'
  | 'Unauthorised'
  | 'TokenRefused'
  | 'Throttled'
  | 'MessageDuplicate'
  | 'ResponseAccepted'
  | 'EnqueueFailed'
  | 'DeliveryAttempt'
  | 'DeliverySucceeded'
  | 'DeliveryRetried'
  | 'DeliveryFailed'
  | 'DeliveredToMailbox'
  | 'MailboxAcknowledged'
  | 'SenderNotified'
  | 'MessageReplayed'
  | 'MessageRequeued'
  | 'DeadLettered'
  | 'DeadlineEscalated'
  | 'SweepFailed'
  | 'AlertRaised'
  | 'AlertCleared'
  | 'MessageWithdrawn'
  | 'MessageResent'
  | 'TeamEmailed'
  | 'TeamEmailFailed';
