/**
 * What ops watch, as the store keeps it and the ops API answers it: traffic counters by dimension, the overview and
 * outcomes read from them, and alerts. Plain data, no behaviour: the web app reads the same shapes.
 */

/** The counters kept per hour and dimension. */
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
export type TrafficCounter = (typeof TRAFFIC_COUNTERS)[number];

export interface TrafficDimension {
  /** The hour counted, as an ISO date-time to the hour: 2026-12-02T13. */
  hour: string;
  network: string;
  /** The national service specification asked for (the hub's service category). */
  category: string;
  service: string;
  /** The receiving organisation (ODS code). */
  destination: string;
}

/** Counts to add to one dimension's item in one shard. */
export interface TrafficIncrement {
  shard: number;
  dimension: TrafficDimension;
  counts: Record<string, number>;
}

/** A dimension's counts read back (shards summed or not: readers add them up). */
export interface TrafficRow {
  dimension: TrafficDimension;
  counts: Record<string, number>;
}

export interface TrafficTotals extends Record<TrafficCounter, number> {
  key: string;
  name: string;
}

export interface TrafficOverview {
  from: string;
  to: string;
  step: 'hour' | 'day';
  /** One point per step, oldest first, with every step of the range present. */
  series: ({ start: string } & Record<TrafficCounter, number>)[];
  totals: Record<TrafficCounter, number>;
  /** Percent of answered referrals the receivers took on; percent of received that failed delivery. */
  acceptanceRate?: number;
  failureRate?: number;
  deliveryLatency: { p50Seconds?: number; p95Seconds?: number };
  byNetwork: TrafficTotals[];
  byService: TrafficTotals[];
  byDestination: TrafficTotals[];
  queue: QueueNow;
}

export interface QueueNow {
  /** Messages on the delivery queue (waiting, in flight, delayed for a retry). */
  depth: number;
  /** How long the oldest message still owed a delivery has waited. */
  oldestWaitingSeconds?: number;
}

export interface OutcomeRow {
  network: string;
  networkName: string;
  /** The national service specification (the hub's service category code), and its name. */
  category: string;
  categoryName: string;
  sent: number;
  accepted: number;
  rejected: number;
  /** Rejections by the receivers' reasons. */
  rejectedBecause: Record<string, number>;
  completed: number;
  /** Median minutes from sending to the receiver's first answer (to the histogram's bucket bound). */
  medianMinutesToFirstAnswer?: number;
}

export type AlertKind = 'destination-failing' | 'queue-backing-up' | 'delivery-failed' | 'overdue';

export interface AlertCondition {
  /** One per condition: the same key while the condition holds. */
  key: string;
  kind: AlertKind;
  /** In plain words, without patient details. */
  summary: string;
  /** What the console links to (a message, a receiving service). */
  messageId?: string;
  serviceId?: string;
}

export interface Alert extends AlertCondition {
  state: 'open' | 'cleared';
  raisedAt: string;
  clearedAt?: string;
  /** Someone in ops has it in hand: who, when, and what they are doing (until it clears or is raised again). */
  acknowledged?: AlertAcknowledgement;
}

export interface AlertAcknowledgement {
  by: string;
  at: string;
  note: string;
}
