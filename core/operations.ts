/** What ops watch, as the store keeps it: traffic counters by dimension, and alerts. Plain data, no behaviour. */

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
}
