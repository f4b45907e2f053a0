import type { Role } from '../auth.js';
import type { MessageRecord } from '../lifecycle/message-record.js';
import type { NetworkDefinition } from '../routing/network.js';
import type { ReceiverHealth } from '../services/health.js';
import type { ReplayResult } from '../services/ops-actions.js';

/**
 * What the API answers, route by route, as the server builds it and the web app (or any integrator in TypeScript)
 * reads it. Types only: each is declared once, where the hub makes it, and named here for those who call the API.
 */

export type { Role } from '../auth.js';
export type { MessageStatus } from '../lifecycle/delivery-lifecycle.js';
export type { AnswerGiven, MessageRecord, TimelineEvent } from '../lifecycle/message-record.js';
export type { ReceiverOutcome } from '../lifecycle/outcome-lifecycle.js';
export type { Alert, OutcomeRow, TrafficCounter, TrafficOverview } from '../operations.js';
export type { NetworkDefinition } from '../routing/network.js';
export type { AlertPage } from '../services/alerts.js';
export type { ReceiverHealth } from '../services/health.js';
export type { ReplayResult } from '../services/ops-actions.js';
export type { ProposedNetworkDiff, RouteExplanation } from '../services/routing.js';

/** GET /auth/session: who is signed in, for which organisation, in which roles. */
export interface Session {
  /** The signed-in person's subject at the identity provider. */
  user?: string;
  organisation: string;
  roles: Role[];
}

/** GET /messages and POST /messages/$search: a page of messages, and the next page's cursor while there is more. */
export interface MessageList {
  messages: MessageRecord[];
  next?: string;
  /** As a FHIR searchset: self, and next while there is more (none for a search by patient: it would carry the NHS number). */
  link?: { relation: string; url: string }[];
}

/** GET /receivers/$health: each receiving service's recent deliveries. */
export interface ReceiversHealth {
  receivers: ReceiverHealth[];
}

/** GET /routing/networks: the loaded network definitions, with what ops paused. */
export interface LoadedNetworks {
  networks: NetworkDefinition[];
}
/** POST /messages/$replay */
export interface BulkReplayResults {
  results: ReplayResult[];
}
