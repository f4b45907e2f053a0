import { actor, type Caller, requireOps } from '../auth.js';
import { BadRequestError, ConflictError, issue, NotFoundError, UnprocessableError } from '../errors.js';
import { pageSize } from '../fhir/paging.js';
import type { MessageRecord } from '../lifecycle/message-record.js';
import type { Alert, AlertCondition } from '../operations.js';
import type { HubDependencies } from './dependencies.js';
import { receiversHealth } from './health.js';
import { queueNow } from './traffic.js';

/**
 * The hub's alerts for ops: each is raised once when its condition starts and cleared once when it ends (a
 * conditional write decides, so two watchers at once still raise it once), and both moments are logged and counted
 * so ops are told of each exactly once. The console lists the open ones and those cleared lately.
 */

/** A queue whose oldest waiting message has waited longer than this is backing up (seconds). */
export const QUEUE_BACKLOG_ALERT_SECONDS = 15 * 60;
/** Most failed or overdue messages the watch reads per run (each is one alert; the next run sees the rest). */
export const ALERT_WATCH_BATCH = 100;
/** How long cleared alerts stay listed. */
export const CLEARED_ALERTS_SHOWN_DAYS = 7;
/** Alerts on one page of the console's list, unless the caller asks for fewer (or more, up to the most). */
export const ALERTS_PAGE = 50;
export const MOST_ALERTS_PAGE = 200;
/** Open alerts counted at most: beyond this many the console says "more than", and the count costs no more. */
export const OPEN_ALERTS_COUNTED = 200;

const stillOpen = (record: MessageRecord) =>
  record.task
    ? !['completed', 'cancelled', 'failed', 'rejected', 'entered-in-error'].includes(record.task.status)
    : !record.outcome;

const receiverOf = (record: MessageRecord) =>
  record.destination.serviceName ?? record.destination.organisationName ?? record.destination.organisation;

/** What holds now, and whether each list of messages was read to its end (what was not read is not known). */
interface ConditionsNow {
  conditions: AlertCondition[];
  allFailedRead: boolean;
  allOverdueRead: boolean;
}

/** Every condition that holds now. */
async function conditionsNow(deps: HubDependencies, ops: Caller): Promise<ConditionsNow> {
  const failing = (await receiversHealth(deps, ops))
    .filter((r) => r.inTrouble)
    .map(
      (r): AlertCondition => ({
        key: `destination-failing:${r.serviceId}`,
        kind: 'destination-failing',
        serviceId: r.serviceId,
        summary: `${r.serviceName} has refused or not answered the last ${r.consecutiveFailures} deliveries${r.lastFailure ? ` (${r.lastFailure.why})` : ''}.`,
      }),
    );
  const queue = await queueNow(deps);
  const backlog: AlertCondition[] =
    (queue.oldestWaitingSeconds ?? 0) > QUEUE_BACKLOG_ALERT_SECONDS
      ? [
          {
            key: 'queue-backing-up',
            kind: 'queue-backing-up',
            summary: `The delivery queue is backing up: the oldest waiting message has waited ${Math.round(queue.oldestWaitingSeconds! / 60)} minutes (${queue.depth} on the queue).`,
          },
        ]
      : [];
  const failedPage = await deps.store.listByStatus('failed', ALERT_WATCH_BATCH);
  const failed = failedPage.items
    .filter((m) => m.kind === 'request')
    .map(
      (m): AlertCondition => ({
        key: `delivery-failed:${m.messageId}`,
        kind: 'delivery-failed',
        messageId: m.messageId,
        summary: `A ${m.task ? 'care-home task' : 'referral'} to ${receiverOf(m)} could not be delivered.`,
      }),
    );
  const overduePage = await deps.store.listOverdue(ALERT_WATCH_BATCH);
  const overdue = overduePage.items.filter(stillOpen).map(
    (m): AlertCondition => ({
      key: `overdue:${m.messageId}`,
      kind: 'overdue',
      messageId: m.messageId,
      summary: `A ${m.task ? 'care-home task' : 'referral'} to ${receiverOf(m)} is overdue (due ${m.dueAt}).`,
    }),
  );
  return {
    conditions: [...failing, ...backlog, ...failed, ...overdue],
    allFailedRead: failedPage.cursor === undefined,
    allOverdueRead: overduePage.cursor === undefined,
  };
}

/**
 * The watch (run on a schedule): raises each condition that started and clears each open alert whose condition
 * ended. Returns how many it raised and cleared this time.
 */
export async function watchAlerts(deps: HubDependencies): Promise<{ raised: number; cleared: number }> {
  const now = deps.clock.now();
  const ops: Caller = { organisation: deps.self.odsCode, roles: ['ops'], ops: true, subject: 'alert-watch' };
  const { conditions, ...read } = await conditionsNow(deps, ops);
  const holding = new Set(conditions.map((c) => c.key));
  let raised = 0;
  let cleared = 0;
  for (const condition of conditions) {
    if (await deps.operations.raiseAlert(condition, now)) {
      raised++;
      deps.metric('AlertRaised');
      deps.log.warn('alert raised', { alert: condition.key, kind: condition.kind });
    }
  }
  const ended = (await everyOpenAlert(deps)).filter((a) => !holding.has(a.key));
  const recovered = await recoveredOf(deps, ended, read);
  for (const alert of ended.filter((a) => recovered.has(a.key))) {
    if (await deps.operations.clearAlert(alert.key, now)) {
      cleared++;
      deps.metric('AlertCleared');
      deps.log.info('alert cleared', { alert: alert.key, kind: alert.kind });
    }
  }
  return { raised, cleared };
}

/**
 * The open alerts whose condition no longer holds. A failed or overdue message's alert is known to have recovered
 * when its whole list was read this run (it was not in it); otherwise its message is read (all of them in batches):
 * no longer failed, answered, or gone.
 */
async function recoveredOf(
  deps: HubDependencies,
  ended: Alert[],
  read: Omit<ConditionsNow, 'conditions'>,
): Promise<Set<string>> {
  const known = (alert: Alert) =>
    (alert.kind === 'delivery-failed' && read.allFailedRead) || (alert.kind === 'overdue' && read.allOverdueRead);
  const toRead = ended.filter(
    (a) => a.messageId && !known(a) && (a.kind === 'delivery-failed' || a.kind === 'overdue'),
  );
  const records = new Map(
    (await deps.store.getMany(toRead.map((a) => a.messageId!))).map((r) => [r.messageId, r] as const),
  );
  const recovered = (alert: Alert) => {
    if (!toRead.includes(alert)) return true;
    const record = records.get(alert.messageId!);
    if (!record) return true;
    return alert.kind === 'delivery-failed' ? record.status !== 'failed' : !stillOpen(record);
  };
  return new Set(ended.filter(recovered).map((a) => a.key));
}

/** Every open alert, page after page (the watch must see each to clear it). */
async function everyOpenAlert(deps: HubDependencies): Promise<Alert[]> {
  const alerts: Alert[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.operations.listAlerts('open', { limit: MOST_ALERTS_PAGE, ...(cursor ? { cursor } : {}) });
    alerts.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return alerts;
}

/** A page of the console's alerts, and how many are open in all. */
export interface AlertPage {
  alerts: Alert[];
  /** How many are open, up to OPEN_ALERTS_COUNTED (with `moreOpen` when there are more). */
  open: number;
  moreOpen?: true;
  /** The next page's cursor, when there is one. */
  next?: string;
}

/** Where a page of the console's alerts starts: among the open ones, or the cleared (each list's own cursor). */
const OPEN_PHASE = 'open:';
const CLEARED_PHASE = 'cleared:';

/**
 * The open alerts, newest first, then those cleared in the last CLEARED_ALERTS_SHOWN_DAYS; a page at a time, each
 * read from the store a page at a time (however many alerts there are, a page reads about a page).
 */
export async function listAlerts(
  deps: HubDependencies,
  caller: Caller,
  query: { cursor?: string; _count?: string } = {},
): Promise<AlertPage> {
  requireOps(caller);
  const limit = pageSize(query._count, ALERTS_PAGE, MOST_ALERTS_PAGE);
  const cursor = query.cursor ?? OPEN_PHASE;
  if (!cursor.startsWith(OPEN_PHASE) && !cursor.startsWith(CLEARED_PHASE))
    throw new BadRequestError('Bad cursor', [issue('value', 'cursor must be one the previous page gave', 'cursor')]);
  const since = new Date(deps.clock.now().getTime() - CLEARED_ALERTS_SHOWN_DAYS * 86_400_000);
  const from = (phase: string) => cursor.slice(phase.length) || undefined;
  const open = cursor.startsWith(OPEN_PHASE)
    ? await deps.operations.listAlerts('open', { limit, ...optional('cursor', from(OPEN_PHASE)) })
    : { items: [] };
  const room = limit - open.items.length;
  const clearedFrom = cursor.startsWith(CLEARED_PHASE) ? from(CLEARED_PHASE) : undefined;
  // Read once the open are all shown: a page of cleared ones to fill this page, or one to know there is a next page.
  const cleared =
    open.cursor === undefined
      ? await deps.operations.listAlerts('cleared', {
          limit: Math.max(room, 1),
          since,
          ...optional('cursor', clearedFrom),
        })
      : undefined;
  const shownCleared = room > 0 ? (cleared?.items ?? []) : [];
  const next =
    open.cursor !== undefined
      ? `${OPEN_PHASE}${open.cursor}`
      : room === 0
        ? cleared?.items.length
          ? `${CLEARED_PHASE}${clearedFrom ?? ''}`
          : undefined
        : cleared?.cursor !== undefined
          ? `${CLEARED_PHASE}${cleared.cursor}`
          : undefined;
  const counted = await deps.operations.countOpenAlerts(OPEN_ALERTS_COUNTED + 1);
  return {
    alerts: [...open.items, ...shownCleared],
    open: Math.min(counted, OPEN_ALERTS_COUNTED),
    ...(counted > OPEN_ALERTS_COUNTED ? { moreOpen: true as const } : {}),
    ...(next ? { next } : {}),
  };
}

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

/** Longest note an acknowledgement keeps (what ops are doing about it, in a sentence or two). */
export const MAX_ALERT_NOTE_LENGTH = 500;

/**
 * Someone in ops takes an open alert in hand: who, when and what they are doing, shown to the rest of ops until the
 * alert clears (or is raised again). An alert already in hand, or no longer open, is refused (409) saying so.
 */
export async function acknowledgeAlert(
  deps: HubDependencies,
  caller: Caller,
  request: Record<string, unknown>,
): Promise<Alert> {
  requireOps(caller);
  const note = typeof request.note === 'string' ? request.note.trim() : '';
  if (typeof request.alert !== 'string' || !note || note.length > MAX_ALERT_NOTE_LENGTH)
    throw new UnprocessableError('Alert and note', [
      issue(
        'required',
        `Say which alert (its key) and what you are doing about it, in up to ${MAX_ALERT_NOTE_LENGTH} characters`,
      ),
    ]);
  const now = deps.clock.now();
  const acknowledgement = { by: actor(caller), at: now.toISOString(), note };
  if (!(await deps.operations.acknowledgeAlert(request.alert, acknowledgement))) {
    const known = await deps.operations.getAlert(request.alert);
    throw known
      ? new ConflictError('Not open or in hand', [
          issue(
            'conflict',
            known.acknowledged
              ? `${known.acknowledged.by} has it in hand since ${known.acknowledged.at}: ${known.acknowledged.note}`
              : 'This alert has cleared',
          ),
        ])
      : new NotFoundError('No such alert', [issue('not-found', 'No such alert is open')]);
  }
  return (await deps.operations.getAlert(request.alert))!;
}
