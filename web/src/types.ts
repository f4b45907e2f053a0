/** The shapes of the hub's answers that the pages show (as an integrator would declare them). */

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
}

export interface MessageRecord {
  messageId: string;
  event: string;
  kind: 'request' | 'response';
  correlationId: string;
  senderOrganisation: string;
  destination: {
    organisation: string;
    organisationName?: string;
    serviceId?: string;
    serviceName?: string;
    channel: string;
  };
  status: string;
  outcome?: string;
  overdue?: boolean;
  urgency?: 'urgent' | 'asap' | 'stat';
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

export const TRAFFIC_COUNTERS = [
  'received',
  'tasks',
  'delivered',
  'failed',
  'answered',
  'accepted',
  'rejected',
  'completed',
] as const;
export type TrafficCounts = Record<(typeof TRAFFIC_COUNTERS)[number], number>;

export interface TrafficOverview {
  from: string;
  to: string;
  step: 'hour' | 'day';
  series: ({ start: string } & TrafficCounts)[];
  totals: TrafficCounts;
  acceptanceRate?: number;
  failureRate?: number;
  deliveryLatency: { p50Seconds?: number; p95Seconds?: number };
  byNetwork: ({ key: string; name: string } & TrafficCounts)[];
  byService: ({ key: string; name: string } & TrafficCounts)[];
  byDestination: ({ key: string; name: string } & TrafficCounts)[];
  queue: { depth: number; oldestWaitingSeconds?: number };
}

export interface OutcomeRow {
  network: string;
  networkName: string;
  category: string;
  categoryName: string;
  sent: number;
  accepted: number;
  rejected: number;
  rejectedBecause: Record<string, number>;
  completed: number;
  medianMinutesToFirstAnswer?: number;
}

export interface Alert {
  key: string;
  kind: 'destination-failing' | 'queue-backing-up' | 'delivery-failed' | 'overdue';
  summary: string;
  messageId?: string;
  serviceId?: string;
  state: 'open' | 'cleared';
  raisedAt: string;
  clearedAt?: string;
}
