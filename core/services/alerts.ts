import { actor, type Caller, requireOps } from '../auth.js';
import { ConflictError, issue, NotFoundError, UnprocessableError } from '../errors.js';
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

const stillOpen = (record: MessageRecord) =>
  record.task
    ? !['completed', 'cancelled', 'failed', 'rejected', 'entered-in-error'].includes(record.task.status)
    : !record.outcome;

const receiverOf = (record: MessageRecord) =>
  record.destination.serviceName ?? record.destination.organisationName ?? record.destination.organisation;

/** Every condition that holds now. */
async function conditionsNow(deps: HubDependencies, ops: Caller): Promise<AlertCondition[]> {
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
  const failed = (await deps.store.listByStatus('failed', ALERT_WATCH_BATCH)).items
    .filter((m) => m.kind === 'request')
    .map(
      (m): AlertCondition => ({
        key: `delivery-failed:${m.messageId}`,
        kind: 'delivery-failed',
        messageId: m.messageId,
        summary: `A ${m.task ? 'care-home task' : 'referral'} to ${receiverOf(m)} could not be delivered.`,
      }),
    );
  const overdue = (await deps.store.listOverdue(ALERT_WATCH_BATCH)).items.filter(stillOpen).map(
    (m): AlertCondition => ({
      key: `overdue:${m.messageId}`,
      kind: 'overdue',
      messageId: m.messageId,
      summary: `A ${m.task ? 'care-home task' : 'referral'} to ${receiverOf(m)} is overdue (due ${m.dueAt}).`,
    }),
  );
  return [...failing, ...backlog, ...failed, ...overdue];
}

/**
 * The watch (run on a schedule): raises each condition that started and clears each open alert whose condition
 * ended. Returns how many it raised and cleared this time.
 */
export async function watchAlerts(deps: HubDependencies): Promise<{ raised: number; cleared: number }> {
  const now = deps.clock.now();
  const ops: Caller = { organisation: deps.self.odsCode, roles: ['ops'], ops: true, subject: 'alert-watch' };
  const conditions = await conditionsNow(deps, ops);
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
  for (const alert of await deps.operations.listAlerts(now)) {
    if (alert.state !== 'open' || holding.has(alert.key)) continue;
    // Failed and overdue messages beyond this run's batch are not known to have recovered: only those read clear.
    if ((alert.kind === 'delivery-failed' || alert.kind === 'overdue') && !(await recovered(deps, alert))) continue;
    if (await deps.operations.clearAlert(alert.key, now)) {
      cleared++;
      deps.metric('AlertCleared');
      deps.log.info('alert cleared', { alert: alert.key, kind: alert.kind });
    }
  }
  return { raised, cleared };
}

/** Whether the message an alert is about no longer fails or is answered (or is gone). */
async function recovered(deps: HubDependencies, alert: Alert): Promise<boolean> {
  const record = alert.messageId ? await deps.store.get(alert.messageId) : undefined;
  if (!record) return true;
  return alert.kind === 'delivery-failed' ? record.status !== 'failed' : !stillOpen(record);
}

/** The open alerts, newest first, then those cleared in the last CLEARED_ALERTS_SHOWN_DAYS. */
export async function listAlerts(deps: HubDependencies, caller: Caller): Promise<Alert[]> {
  requireOps(caller);
  const now = deps.clock.now();
  const since = new Date(now.getTime() - CLEARED_ALERTS_SHOWN_DAYS * 86_400_000).toISOString();
  return (await deps.operations.listAlerts(now))
    .filter((a) => a.state === 'open' || (a.clearedAt ?? '') >= since)
    .sort(
      (a, b) =>
        Number(b.state === 'open') - Number(a.state === 'open') ||
        (b.clearedAt ?? b.raisedAt).localeCompare(a.clearedAt ?? a.raisedAt),
    );
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
