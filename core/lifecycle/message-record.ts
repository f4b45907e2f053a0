import type { OperationOutcome } from 'fhir/r4';
import type { PatientSummary } from '../fhir/patient-index.js';
import type { Urgency } from '../routing/network.js';
import type { MessageStatus } from './delivery-lifecycle.js';
import type { ReceiverOutcome } from './outcome-lifecycle.js';
import type { TaskStatus } from './task-lifecycle.js';

/**
 * A message's life in the hub. The record is what the store keeps (the Bundle is kept beside it) and what the
 * status API shows; the timeline is append-only. Two lifecycles move it, each a transition table: `status`, how
 * its delivery goes (delivery-lifecycle.ts), and `outcome`, what the receiver said (outcome-lifecycle.ts).
 */

export type { MessageStatus } from './delivery-lifecycle.js';
export type { ReceiverOutcome } from './outcome-lifecycle.js';

/** request: a practice's referral or task; response: a receiver's answer forwarded back; notification: the hub's own message to a sender (delivery failed, replayed, delivered after a replay). */
export type MessageKind = 'request' | 'response' | 'notification';

export type TimelineEventType =
  | 'received'
  | 'validated'
  | 'routed'
  | 'queued'
  | 'delivery-attempt'
  | 'delivered'
  | 'in-mailbox'
  | 'fetched'
  | 'acknowledged'
  | 'responded'
  | 'cancelled'
  | 'late-result'
  | 'task-updated'
  | 'overdue'
  | 'not-responded'
  | 'updated'
  | 'failed'
  | 'sender-notified'
  | 'replayed'
  | 'requeued'
  | 'forwarded'
  | 'held'
  | 'resent'
  | 'withdrawn';

export interface TimelineEvent {
  at: string;
  type: TimelineEventType;
  /** Free text for people; never patient data. */
  detail?: string;
  attempt?: number;
  /** For delivery attempts: success | transient | permanent. */
  result?: string;
  /** Another message this event links to (a response, a notification, a replay). */
  relatedMessageId?: string;
  /** For delivery events: the service it went to (a replay or a pass-on moves a message; its past stays put). */
  serviceId?: string;
}

/** One answer a receiver gave to a request: what it said, why, its note, who and when. */
export interface AnswerGiven {
  at: string;
  /** ODS code of the organisation that answered. */
  by: string;
  outcome?: ReceiverOutcome;
  /** For a care-home Task: its new FHIR status. */
  taskStatus?: string;
  reason?: string;
  note?: string;
}

export interface Destination {
  organisation: string;
  organisationName?: string;
  serviceId?: string;
  serviceName?: string;
  /** The service's Directory of Services id (its BaRS NHSD-Target-Identifier), when it has one. */
  dosServiceId?: string;
  endpointId?: string;
  channel: 'fhir-push' | 'mailbox';
  /** FHIR base URL for fhir-push. */
  address?: string;
  /** How the hub authenticates its push there (its endpoint's `authentication`), when it does. */
  authentication?: 'hub-token';
}

/** A care-home Task's own state (FHIR R4 Task), kept beside the message's delivery and the receiver's outcome. */
export interface TaskState {
  status: TaskStatus;
  businessStatus?: string;
  /** Task.note, as the requester and the owner added them (kept across updates). */
  notes: { at: string; author: string; text: string }[];
  /** ODS site code of the care home the Task is about. */
  careHome?: string;
}

export interface MessageRecord {
  /** The message identity: Bundle.id. */
  messageId: string;
  kind: MessageKind;
  /** MessageHeader.eventCoding.code */
  event: string;
  requestId: string;
  correlationId: string;
  senderOrganisation: string;
  /** The sender's name, from the directory when it stored the message (pages name organisations, not codes). */
  senderName?: string;
  /**
   * Who a request is about, for the worklists of its sender and receiver (who may read the message itself): never
   * shown to anyone else (ops ask for it, and the asking is recorded), and removed with the body at its retention.
   */
  patient?: PatientSummary;
  /** The referring clinician's name, as the request gives it. */
  referrer?: string;
  /** A notice from the hub: what it says (never patient data), so a list reads it as what it is. */
  notice?: string;
  destination: Destination;
  route?: {
    networkId: string;
    ruleId: string;
    category: string;
    divertedFrom?: string;
    /** Why it was diverted (paused, not accepting referrals until..., full this week). */
    divertedBecause?: string;
    explanation: string[];
  };
  status: MessageStatus;
  attempts: number;
  /** For responses and notifications: the request they answer. */
  inReplyTo?: string;
  /**
   * For a referral and its updates: its ServiceRequest's identity as the sender names it (the resource's id, else
   * the uuid of its fullUrl). BaRS matches an update or cancellation to its referral by it, within the case.
   */
  serviceRequestId?: string;
  outcome?: ReceiverOutcome;
  /** Why, as coded (a rejection's reason, a completion's outcome): what reports group by. */
  outcomeReason?: string;
  /** The receiver's own words with its answer (never a category). */
  outcomeNote?: string;
  /** Every answer the receiver gave, in order: the referral's history as its teams and practice read it. */
  answers?: AnswerGiven[];
  replays: number;
  /**
   * When the receiver should have answered (the route's response time) or the Task be done
   * (Task.restriction.period.end); while set and unanswered, the deadline sweep watches it.
   */
  dueAt?: string;
  /** How soon the sender needs it, when more than routine (urgent, asap, stat): receivers see it first. */
  urgency?: Exclude<Urgency, 'routine'>;
  /** Past dueAt and escalated: the sender (and for a Task, the PCN's clinical lead) was told. */
  overdue?: boolean;
  /** The receiver's own OperationOutcome when it refused the message for good (BaRS REC_ 4xx): its sender gets it. */
  receiverAnswer?: OperationOutcome;
  /** For a care-home Task (task-request): its FHIR state. */
  task?: TaskState;
  createdAt: string;
  updatedAt: string;
  timeline: TimelineEvent[];
}

export function timelineEvent(
  type: TimelineEventType,
  at: Date,
  extra: Omit<TimelineEvent, 'at' | 'type'> = {},
): TimelineEvent {
  return { at: at.toISOString(), type, ...extra };
}

/** Where a message is to be placed when it goes to a mailbox: the queue carries it, so placing it is one write. */
export interface MailboxDelivery {
  organisation: string;
  serviceId?: string;
}

/** What one record of the delivery queue carries: the message's identity (the message stays in the store). */
export interface QueuedDelivery {
  messageId: string;
  mailbox?: MailboxDelivery;
  /**
   * When the ingest enqueued a message it had just stored ('accepted'): the worker's first write records it on the
   * timeline, so storing a message and telling the store it is queued are not two writes.
   */
  queuedAt?: string;
}

/** What the delivery queue carries for a message: where it goes when that is a mailbox. */
export function queuedDelivery(record: Pick<MessageRecord, 'messageId' | 'destination'>): QueuedDelivery {
  const { channel, organisation, serviceId } = record.destination;
  return {
    messageId: record.messageId,
    ...(channel === 'mailbox' ? { mailbox: { organisation, ...(serviceId ? { serviceId } : {}) } } : {}),
  };
}

/** The first queue record of a message just stored ('accepted'): the worker's first write records when it was queued. */
export function firstDelivery(record: Pick<MessageRecord, 'messageId' | 'destination'>, at: Date): QueuedDelivery {
  return { ...queuedDelivery(record), queuedAt: at.toISOString() };
}
