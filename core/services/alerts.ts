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
  const ended = (await deps.operations.listAlerts(now)).filter((a) => a.state === 'open' && !holding.has(a.key));
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

/** A page of the console's alerts, and how many are open in all. */
export interface AlertPage {
  alerts: Alert[];
  open: number;
  /** The next page's cursor, when there is one. */
  next?: string;
}

/** The open alerts, newest first, then those cleared in the last CLEARED_ALERTS_SHOWN_DAYS; a page at a time. */
export async function listAlerts(
  deps: HubDependencies,
  caller: Caller,
  query: { cursor?: string; _count?: string } = {},
): Promise<AlertPage> {
  requireOps(caller);
  const count = pageSize(query._count, ALERTS_PAGE, MOST_ALERTS_PAGE);
  const from = query.cursor === undefined ? 0 : Number(query.cursor);
  if (!Number.isSafeInteger(from) || from < 0)
    throw new BadRequestError('Bad cursor', [issue('value', 'cursor must be one the previous page gave', 'cursor')]);
  const now = deps.clock.now();
  const since = new Date(now.getTime() - CLEARED_ALERTS_SHOWN_DAYS * 86_400_000).toISOString();
  const shown = (await deps.operations.listAlerts(now))
    .filter((a) => a.state === 'open' || (a.clearedAt ?? '') >= since)
    .sort(
      (a, b) =>
        Number(b.state === 'open') - Number(a.state === 'open') ||
        (b.clearedAt ?? b.raisedAt).localeCompare(a.clearedAt ?? a.raisedAt),
    );
  return {
    alerts: shown.slice(from, from + count),
    open: shown.filter((a) => a.state === 'open').length,
    ...(from + count < shown.length ? { next: String(from + count) } : {}),
  };
}

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
    const known = (await deps.operations.listAlerts(now)).find((a) => a.key === request.alert);
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
  const alerts = await deps.operations.listAlerts(now);
  return alerts.find((a) => a.key === request.alert)!;
}
