import { type Caller, requireOps } from '../auth.js';
import { issue, UnprocessableError } from '../errors.js';
import type { MessageStatus } from '../lifecycle/delivery-lifecycle.js';
import type { MessageRecord } from '../lifecycle/message-record.js';
import type { ReceiverOutcome } from '../lifecycle/outcome-lifecycle.js';
import {
  type OutcomeRow,
  type QueueNow,
  TRAFFIC_COUNTERS,
  type TrafficCounter,
  type TrafficDimension,
  type TrafficIncrement,
  type TrafficOverview,
  type TrafficRow,
} from '../operations.js';
import { shardOf } from '../shard.js';
import type { HubDependencies } from './dependencies.js';

/**
 * The network's traffic, counted as messages change state (never by scanning messages when ops look): every
 * stored change of a request is turned into counts under one hour, network, service category, service and
 * receiving organisation. Each message's counts go to one of TRAFFIC_SHARDS items per hour and dimension, so at
 * national volume no single counter item takes every write; a reading sums the shards.
 */

/** Counter items per hour and dimension: writes spread over this many, readings sum them. */
export const TRAFFIC_SHARDS = 8;

/** Upper bounds (seconds) of the time histograms: receipt to delivery, and receipt to the receiver's first answer. */
export const TIME_BUCKETS_SECONDS = [
  1,
  2,
  5,
  10,
  30,
  60,
  300,
  900,
  3600,
  4 * 3600,
  24 * 3600,
  3 * 86_400,
  7 * 86_400,
  30 * 86_400,
] as const;

/** Prefixes of the counters that carry a value: a histogram bucket's index, a rejection reason. */
export const DELIVERY_BUCKET = 'deliverySeconds:';
export const ANSWER_BUCKET = 'answerSeconds:';
export const REJECTED_BECAUSE = 'rejectedBecause:';

/** What a message was before a change: from a stream's old image, or the state a conditional write expected. */
export interface StateBefore {
  status: MessageStatus;
  outcome?: ReceiverOutcome;
}

/** One stored change of a message: created (no before), or updated. */
export interface ObservedChange {
  before?: StateBefore;
  after: MessageRecord;
}

const DELIVERED: readonly MessageStatus[] = ['delivered', 'in-mailbox', 'acknowledged'];
/** Outcomes that mean the receiver took the work on. */
const TAKEN_ON: readonly ReceiverOutcome[] = ['accepted', 'in-progress', 'completed'];
/** Longest rejection reason kept as a counter name (they are short coded reasons in practice). */
const REASON_LENGTH = 80;

export const hourOf = (at: string) => at.slice(0, 13);

/** A stable shard for a message: all of one message's counts go to the same shard. */
export const trafficShard = (messageId: string) => shardOf(messageId, TRAFFIC_SHARDS);

export function timeBucket(seconds: number): number {
  const index = TIME_BUCKETS_SECONDS.findIndex((bound) => seconds <= bound);
  return index === -1 ? TIME_BUCKETS_SECONDS.length : index;
}

const secondsBetween = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** The counts one change adds; undefined when it adds none (answers, notices, changes of no interest). */
export function trafficOfChange({ before, after }: ObservedChange): TrafficIncrement | undefined {
  if (after.kind !== 'request') return undefined;
  const counts: Record<string, number> = {};
  const add = (name: string) => {
    counts[name] = (counts[name] ?? 0) + 1;
  };
  const at = after.timeline.at(-1)?.at ?? after.updatedAt;
  if (!before) {
    add('received');
    if (after.task) add('tasks');
  } else {
    if (after.status !== before.status && DELIVERED.includes(after.status) && !DELIVERED.includes(before.status)) {
      add('delivered');
      add(`${DELIVERY_BUCKET}${timeBucket(secondsBetween(after.createdAt, at))}`);
    }
    if (after.status === 'failed' && before.status !== 'failed') add('failed');
    if (after.outcome && after.outcome !== before.outcome) {
      if (!before.outcome) {
        add('answered');
        add(`${ANSWER_BUCKET}${timeBucket(secondsBetween(after.createdAt, at))}`);
        if (TAKEN_ON.includes(after.outcome)) add('accepted');
      }
      if (after.outcome === 'completed') add('completed');
      if (after.outcome === 'rejected') {
        add('rejected');
        add(`${REJECTED_BECAUSE}${(after.outcomeReason ?? 'no reason given').slice(0, REASON_LENGTH)}`);
      }
    }
  }
  if (Object.keys(counts).length === 0) return undefined;
  return {
    shard: trafficShard(after.messageId),
    dimension: {
      hour: hourOf(before ? at : after.createdAt),
      network: after.route?.networkId ?? 'none',
      category: after.route?.category ?? 'none',
      service: after.destination.serviceId ?? 'none',
      destination: after.destination.organisation,
    },
    counts,
  };
}

const dimensionKey = (d: TrafficDimension) => [d.hour, d.network, d.category, d.service, d.destination].join('|');

/** Adds counts into rows, one per dimension (and shard, when keyed by it). */
function accumulate<T extends TrafficRow>(rows: Map<string, T>, key: string, row: T) {
  const into = rows.get(key);
  if (!into) {
    rows.set(key, { ...row, counts: { ...row.counts } });
    return;
  }
  for (const [name, value] of Object.entries(row.counts)) into.counts[name] = (into.counts[name] ?? 0) + value;
}

/**
 * Counts a batch of stored changes (a DynamoDB stream batch on AWS, the local stream's locally): the batch's counts
 * are merged per dimension first and written to one shard (the batch's), so a busy batch writes each dimension once
 * and concurrent batches spread over the shards.
 */
export async function recordTraffic(deps: HubDependencies, changes: readonly ObservedChange[]): Promise<number> {
  const merged = new Map<string, TrafficIncrement>();
  const shard = changes.length ? trafficShard(changes[0]!.after.messageId) : 0;
  for (const change of changes) {
    const increment = trafficOfChange(change);
    if (increment) accumulate(merged, dimensionKey(increment.dimension), { ...increment, shard });
  }
  if (merged.size) await deps.operations.addTraffic([...merged.values()]);
  return merged.size;
}

/** The longest range one reading covers (the counters are kept this long). */
export const TRAFFIC_RANGE_DAYS = 31;
/** Ranges up to this long are shown per hour; longer ones per day. */
const HOURLY_UP_TO_HOURS = 72;

export interface TrafficRange {
  from: Date;
  to: Date;
  /** The series' step. */
  step: 'hour' | 'day';
}

/** The range asked for (ISO date-times), by default the last 24 hours. */
export function trafficRange(now: Date, query: { from?: string; to?: string }): TrafficRange {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * 3_600_000);
  const problems = [
    ...(Number.isNaN(from.getTime()) ? [issue('value', 'from must be a date and time (ISO 8601)', 'from')] : []),
    ...(Number.isNaN(to.getTime()) ? [issue('value', 'to must be a date and time (ISO 8601)', 'to')] : []),
  ];
  if (!problems.length && from >= to) problems.push(issue('value', 'from must be before to', 'from'));
  if (!problems.length && to.getTime() - from.getTime() > TRAFFIC_RANGE_DAYS * 86_400_000)
    problems.push(issue('value', `A range covers at most ${TRAFFIC_RANGE_DAYS} days`, 'from'));
  if (problems.length) throw new UnprocessableError('Bad range', problems);
  const hours = (to.getTime() - from.getTime()) / 3_600_000;
  return { from, to, step: hours <= HOURLY_UP_TO_HOURS ? 'hour' : 'day' };
}

/** The bucket bound (seconds) below which `fraction` of the counted times fall; undefined with none counted. */
export function quantileSeconds(counts: Record<string, number>, prefix: string, fraction: number) {
  const buckets = TIME_BUCKETS_SECONDS.map((_, i) => counts[`${prefix}${i}`] ?? 0);
  buckets.push(counts[`${prefix}${TIME_BUCKETS_SECONDS.length}`] ?? 0);
  const total = buckets.reduce((a, b) => a + b, 0);
  if (!total) return undefined;
  let seen = 0;
  for (const [i, n] of buckets.entries()) {
    seen += n;
    if (seen >= fraction * total) return TIME_BUCKETS_SECONDS[Math.min(i, TIME_BUCKETS_SECONDS.length - 1)];
  }
  return TIME_BUCKETS_SECONDS.at(-1);
}

/** Sums rows under a key of their dimension. */
function sumBy(rows: readonly TrafficRow[], key: (d: TrafficDimension) => string) {
  const sums = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const k = key(row.dimension);
    const into = sums.get(k) ?? {};
    for (const [name, value] of Object.entries(row.counts)) into[name] = (into[name] ?? 0) + value;
    sums.set(k, into);
  }
  return sums;
}

const pick = (counts: Record<string, number> | undefined) =>
  Object.fromEntries(TRAFFIC_COUNTERS.map((c) => [c, counts?.[c] ?? 0])) as Record<TrafficCounter, number>;

const rate = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : undefined);

/** Statuses of a message still waiting to be delivered. */
const WAITING: readonly MessageStatus[] = ['accepted', 'queued', 'retrying'];

/** The delivery queue now: its depth, and the oldest message still waiting (from the store's status index). */
export async function queueNow(deps: HubDependencies): Promise<QueueNow> {
  const now = deps.clock.now();
  const oldest = await Promise.all(WAITING.map((s) => deps.store.listByStatus(s, 1, undefined, now)));
  const since = oldest
    .flatMap((p) => p.items)
    .map((m) => m.updatedAt)
    .sort()[0];
  return {
    depth: await deps.queue.depth(),
    ...(since ? { oldestWaitingSeconds: Math.round(secondsBetween(since, now.toISOString())) } : {}),
  };
}

/** Names for the dimensions' keys: networks, services and organisations from the routing tables. */
async function dimensionNames(deps: HubDependencies) {
  const networks = await deps.directory.listNetworks();
  const names = new Map<string, string>();
  for (const n of networks) {
    names.set(`network:${n.id}`, n.name);
    for (const s of n.services) names.set(`service:${s.id}`, s.name);
    for (const o of n.organisations) names.set(`organisation:${o.odsCode}`, o.name);
  }
  return (kind: string, key: string) => names.get(`${kind}:${key}`) ?? key;
}

/** What an ops reading starts from: the range asked for, its counter rows, and names for their keys. */
async function readRange(deps: HubDependencies, caller: Caller, query: { from?: string; to?: string }) {
  requireOps(caller);
  const range = trafficRange(deps.clock.now(), query);
  const rows = await deps.operations.readTraffic(hourOf(range.from.toISOString()), hourOf(range.to.toISOString()));
  return { range, rows, name: await dimensionNames(deps) };
}

function stepStarts(range: TrafficRange): string[] {
  const stepMs = range.step === 'hour' ? 3_600_000 : 86_400_000;
  const start = new Date(range.from);
  if (range.step === 'hour') start.setUTCMinutes(0, 0, 0);
  else start.setUTCHours(0, 0, 0, 0);
  const starts: string[] = [];
  for (let t = start.getTime(); t < range.to.getTime(); t += stepMs) starts.push(new Date(t).toISOString());
  return starts;
}

/** Ops' overview of a range: traffic per step, totals and rates, per network, service and destination; the queue now. */
export async function trafficOverview(
  deps: HubDependencies,
  caller: Caller,
  query: { from?: string; to?: string },
): Promise<TrafficOverview> {
  const { range, rows, name } = await readRange(deps, caller, query);
  const stepOf = (d: TrafficDimension) =>
    range.step === 'hour' ? `${d.hour}:00:00.000Z` : `${d.hour.slice(0, 10)}T00:00:00.000Z`;
  const perStep = sumBy(rows, stepOf);
  const all = sumBy(rows, () => 'all').get('all') ?? {};
  const totals = pick(all);
  const totalsBy = (kind: string, key: (d: TrafficDimension) => string) =>
    [...sumBy(rows, key).entries()]
      .map(([k, counts]) => ({ key: k, name: name(kind, k), ...pick(counts) }))
      .sort((a, b) => b.received - a.received || a.name.localeCompare(b.name));
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    step: range.step,
    series: stepStarts(range).map((start) => ({ start, ...pick(perStep.get(start)) })),
    totals,
    ...optional('acceptanceRate', rate(totals.accepted, totals.answered)),
    ...optional('failureRate', rate(totals.failed, totals.received)),
    deliveryLatency: {
      ...optional('p50Seconds', quantileSeconds(all, DELIVERY_BUCKET, 0.5)),
      ...optional('p95Seconds', quantileSeconds(all, DELIVERY_BUCKET, 0.95)),
    },
    byNetwork: totalsBy('network', (d) => d.network),
    byService: totalsBy('service', (d) => d.service),
    byDestination: totalsBy('organisation', (d) => d.destination),
    queue: await queueNow(deps),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** For each PCN and each national service specification: what was sent and what came of it. */
export async function outcomesReport(
  deps: HubDependencies,
  caller: Caller,
  query: { from?: string; to?: string },
): Promise<OutcomeRow[]> {
  const { rows, name } = await readRange(deps, caller, query);
  return [...sumBy(rows, (d) => `${d.network}|${d.category}`).entries()]
    .map(([key, counts]) => {
      const [network, category] = key.split('|') as [string, string];
      const median = quantileSeconds(counts, ANSWER_BUCKET, 0.5);
      return {
        network,
        networkName: name('network', network),
        category,
        categoryName: deps.categories.names.get(category) ?? category,
        sent: counts.received ?? 0,
        accepted: counts.accepted ?? 0,
        rejected: counts.rejected ?? 0,
        rejectedBecause: Object.fromEntries(
          Object.entries(counts)
            .filter(([k]) => k.startsWith(REJECTED_BECAUSE))
            .map(([k, n]) => [k.slice(REJECTED_BECAUSE.length), n]),
        ),
        completed: counts.completed ?? 0,
        ...optional('medianMinutesToFirstAnswer', median === undefined ? undefined : Math.round(median / 60)),
      };
    })
    .sort((a, b) => a.networkName.localeCompare(b.networkName) || a.category.localeCompare(b.category));
}

/** A cell a spreadsheet would run as a formula (OWASP CSV injection): = + - @, or TAB, CR or LF before anything. */
const FORMULA_START = /^[=+\-@\t\r\n]/;

/**
 * One CSV cell: a text that a spreadsheet would take for a formula is neutralised with a leading apostrophe
 * (numbers the report itself writes are left as they are), and a cell holding a comma, a quote, CR or LF is quoted.
 */
export const csvField = (value: string | number | undefined) => {
  if (typeof value === 'number') return String(value);
  const text = value ?? '';
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The outcomes report as CSV, one line per PCN and service specification (reasons as "reason: n; ..."). */
export function outcomesCsv(rows: readonly OutcomeRow[]): string {
  const header = [
    'PCN',
    'Network id',
    'Service specification',
    'Sent',
    'Accepted',
    'Rejected',
    'Rejected because',
    'Completed',
    'Median minutes to first answer',
  ];
  const lines = rows.map((r) =>
    [
      r.networkName,
      r.network,
      r.categoryName,
      r.sent,
      r.accepted,
      r.rejected,
      Object.entries(r.rejectedBecause)
        .map(([reason, n]) => `${reason}: ${n}`)
        .join('; '),
      r.completed,
      r.medianMinutesToFirstAnswer,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
