/** The shapes of the hub's answers that the pages show (as an integrator would declare them). */
import type { TrafficCounter } from '../../core/operations';

export type Role = 'sender' | 'receiver' | 'ops';

export interface Session {
  user: string;
  organisation: string;
  roles: Role[];
}

export interface TimelineEvent {
  type: string;
  at: string;
  detail?: string;
  /** For delivery attempts: success, transient or permanent. */
  result?: string;
}

export interface AnswerGiven {
  at: string;
  by: string;
  outcome?: string;
  taskStatus?: string;
  reason?: string;
  note?: string;
}

export interface MessageRecord {
  messageId: string;
  event: string;
  kind: 'request' | 'response' | 'notification';
  correlationId: string;
  senderOrganisation: string;
  senderName?: string;
  /** Who it is about: for its sender and its receiver only. */
  patient?: { name?: string; nhsNumber?: string; birthDate?: string };
  /** The referring clinician. */
  referrer?: string;
  /** A notice from the hub: what it says. */
  notice?: string;
  destination: {
    organisation: string;
    organisationName?: string;
    serviceId?: string;
    serviceName?: string;
    channel: string;
  };
  status: string;
  outcome?: string;
  /** Why (a rejection's coded reason, a completion's coded outcome). */
  outcomeReason?: string;
  /** The receiving team's own words with its answer. */
  outcomeNote?: string;
  /** Every answer given, in order. */
  answers?: AnswerGiven[];
  overdue?: boolean;
  urgency?: 'urgent' | 'asap' | 'stat';
  /** How the hub routed it: within its sender's network. */
  route?: { networkId: string };
  /** When an answer is due (the route's response time, or the Task's deadline). */
  dueAt?: string;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  timeline: TimelineEvent[];
}

export interface MessageList {
  messages: MessageRecord[];
  next?: string;
}

export type { Alert, OutcomeRow, TrafficOverview } from '../../core/operations';
export type TrafficCounts = Record<TrafficCounter, number>;
