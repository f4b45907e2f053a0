import type { MessageStatus } from './delivery-lifecycle.js';
import type { ReceiverOutcome } from './outcome-lifecycle.js';

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
  | 'updated'
  | 'failed'
  | 'sender-notified'
  | 'replayed'
  | 'requeued';

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
}

export interface Destination {
  organisation: string;
  organisationName?: string;
  serviceId?: string;
  serviceName?: string;
  endpointId?: string;
  channel: 'fhir-push' | 'mailbox';
  /** FHIR base URL for fhir-push. */
  address?: string;
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
  destination: Destination;
  route?: { networkId: string; ruleId: string; category: string; divertedFrom?: string; explanation: string[] };
  status: MessageStatus;
  attempts: number;
  /** For responses and notifications: the request they answer. */
  inReplyTo?: string;
  outcome?: ReceiverOutcome;
  outcomeReason?: string;
  replays: number;
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
