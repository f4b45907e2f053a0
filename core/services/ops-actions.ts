import type { Patient } from 'fhir/r4';
import { actor, type Caller, requireOps } from '../auth.js';
import { ConflictError, type HubError, issue, NotFoundError, UnprocessableError } from '../errors.js';
import type { MessageBundle } from '../fhir/bundle.js';
import type { MessageStatus } from '../lifecycle/delivery-lifecycle.js';
import { type MessageRecord, queuedDelivery, timelineEvent } from '../lifecycle/message-record.js';
import { OUTCOME_LIFECYCLE } from '../lifecycle/outcome-lifecycle.js';
import { outcomeOf, statusChange } from '../lifecycle/transitions.js';
import type { HubDependencies } from './dependencies.js';
import { replayMessage, seenBy } from './message-listings.js';
import { notifySender, sendNotification } from './notifications.js';

/** Ops' other corrections: many replays at once, a re-send of what a receiver lost, a withdrawal. */

/** Most messages one bulk replay re-sends (a larger backlog is replayed in several goes). */
export const BULK_REPLAY_LIMIT = 100;
/** Longest reason kept on a timeline. */
const REASON_LENGTH = 500;

function reasonOf(body: { reason?: unknown }): string {
  const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
  if (!reason)
    throw new UnprocessableError('A reason is needed', [
      issue('required', 'Say why (reason): it is recorded on the timeline and told to those concerned', 'reason'),
    ]);
  return reason.slice(0, REASON_LENGTH);
}

/** What every correction starts from: an ops caller, a reason, and the message as it stands. */
async function correction(deps: HubDependencies, caller: Caller, messageId: string, body: { reason?: unknown }) {
  requireOps(caller);
  const reason = reasonOf(body);
  const record = await deps.store.get(messageId);
  if (!record) throw new NotFoundError('No such message', [issue('not-found', `No message ${messageId}`)]);
  return { reason, record };
}

const receiverOf = (record: MessageRecord) => record.destination.serviceName ?? record.destination.organisation;

/**
 * Re-sends a delivered (or collected) message whose receiver says it lost it: the same stored original, the same
 * message identity (a receiver that has it can discard the copy), delivered again as any message; the reason and who
 * asked are on the timeline.
 */
export async function resendMessage(
  deps: HubDependencies,
  caller: Caller,
  messageId: string,
  body: { reason?: unknown },
): Promise<MessageRecord> {
  const { reason, record } = await correction(deps, caller, messageId, body);
  if (record.status !== 'delivered' && record.status !== 'acknowledged')
    throw new ConflictError('Not delivered', [
      issue(
        'conflict',
        `Message ${messageId} is '${record.status}': only a delivered or collected message is re-sent (a failed one is replayed)`,
      ),
    ]);
  const now = deps.clock.now();
  const updated = await deps.store.update(
    messageId,
    statusChange(record, 'queued', {
      attempts: 0,
      replays: record.replays + 1,
      events: [
        timelineEvent('resent', now, { detail: `re-sent to ${receiverOf(record)} by ${actor(caller)}: ${reason}` }),
      ],
      at: now,
    }),
  );
  if (!updated)
    throw new ConflictError('Changed', [issue('conflict', `Message ${messageId} changed while re-sending; try again`)]);
  deps.metric('MessageResent');
  await deps.queue.enqueue(queuedDelivery(updated)).catch((error: Error) => {
    deps.metric('EnqueueFailed');
    deps.log.error('enqueue of a re-send failed; the sweep will enqueue it', { messageId, error: error.message });
  });
  return seenBy(caller, (await deps.store.get(messageId)) ?? updated);
}

/** Statuses from which a withdrawal stops the delivery (a delivered message stays delivered: its receiver is told). */
const STOPS_DELIVERY: readonly MessageStatus[] = [
  'accepted',
  'queued',
  'delivering',
  'retrying',
  'failed',
  'in-mailbox',
];
/** Statuses in which the receiver has, or may have, the message: it is told of the withdrawal. */
const RECEIVER_HAS_IT: readonly MessageStatus[] = ['delivered', 'acknowledged', 'in-mailbox'];

/**
 * Withdraws a referral or Task (sent in error, say): its outcome becomes 'withdrawn' (final: no answer is taken after),
 * a delivery still under way stops and it leaves the receiver's mailbox, and the sender and (where it has or may
 * have it) the receiver are told why.
 */
export async function withdrawMessage(
  deps: HubDependencies,
  caller: Caller,
  messageId: string,
  body: { reason?: unknown },
): Promise<MessageRecord> {
  const { reason, record } = await correction(deps, caller, messageId, body);
  if (record.kind !== 'request')
    throw new UnprocessableError('Not a request', [
      issue('business-rule', 'Only a referral or care-home request is withdrawn, not an answer or notice'),
    ]);
  const from = outcomeOf(record);
  OUTCOME_LIFECYCLE.assert(from, 'withdrawn');
  const now = deps.clock.now();
  const stops = STOPS_DELIVERY.includes(record.status);
  const events = [timelineEvent('withdrawn', now, { detail: `withdrawn by ${actor(caller)}: ${reason}` })];
  const change = stops
    ? statusChange(record, 'withdrawn', { events, at: now, mailbox: null })
    : { events, at: now, expect: { status: record.status } };
  const updated = await deps.store.update(messageId, {
    ...change,
    outcome: 'withdrawn',
    outcomeReason: reason,
    clearDue: true,
    ...(record.overdue ? { overdue: false } : {}),
    expect: { ...change.expect, outcome: from },
  });
  if (!updated)
    throw new ConflictError('Changed', [
      issue('conflict', `Message ${messageId} changed while withdrawing; try again`),
    ]);
  deps.metric('MessageWithdrawn');
  const what = record.task ? 'care home request' : 'referral';
  if (RECEIVER_HAS_IT.includes(record.status))
    await sendNotification(deps, updated, record.destination, {
      code: 'ok',
      severity: 'warning',
      text: `The hub operations team has withdrawn this ${what} from ${record.senderOrganisation}: ${reason}. Please take no further action on it.`,
    });
  await notifySender(deps, updated, {
    code: 'ok',
    severity: 'warning',
    text: `The hub operations team has withdrawn this ${what} to ${receiverOf(record)}: ${reason}.`,
  });
  return seenBy(caller, (await deps.store.get(messageId)) ?? updated);
}

export interface BulkReplay {
  /** These messages; or every failed one delivered to a service (failedTo) since a time. */
  messages?: string[];
  failedTo?: string;
  since?: string;
  /** Replay to this service instead of each message's own. */
  service?: string;
}

export interface ReplayResult {
  messageId: string;
  /** Its status after the replay, or why it was not replayed. */
  status?: MessageStatus;
  problem?: string;
}

function bulkOf(body: Record<string, unknown>): BulkReplay {
  const problems = [];
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (body.messages !== undefined && !strings(body.messages))
    problems.push(issue('value', 'messages must be a list of message ids', 'messages'));
  for (const name of ['failedTo', 'since', 'service'])
    if (body[name] !== undefined && typeof body[name] !== 'string')
      problems.push(issue('value', `${name} must be text`, name));
  if (typeof body.since === 'string' && Number.isNaN(Date.parse(body.since)))
    problems.push(issue('value', 'since must be a date and time (ISO 8601)', 'since'));
  if ((body.messages === undefined) === (body.failedTo === undefined))
    problems.push(issue('required', 'Name the messages, or the service whose failed messages to replay (failedTo)'));
  if (Array.isArray(body.messages) && body.messages.length > BULK_REPLAY_LIMIT)
    problems.push(issue('value', `At most ${BULK_REPLAY_LIMIT} messages at once`, 'messages'));
  if (problems.length) throw new UnprocessableError('Bad replay', problems);
  return body as BulkReplay;
}

/** The failed messages to one service since a time (when they failed), newest first, up to the limit. */
async function failedTo(deps: HubDependencies, serviceId: string, since?: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listByStatus('failed', BULK_REPLAY_LIMIT, cursor);
    for (const m of page.items) {
      if (since && m.updatedAt < since) return ids;
      if (m.destination.serviceId === serviceId && m.kind === 'request') ids.push(m.messageId);
      if (ids.length === BULK_REPLAY_LIMIT) return ids;
    }
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

/**
 * Replays many failed messages: a selection, or all that failed for a service since a time, each to its own
 * destination or all to another service. Each is replayed on its own (one that cannot be does not stop the rest),
 * and the answer says what became of each.
 */
export async function replayMany(
  deps: HubDependencies,
  caller: Caller,
  body: Record<string, unknown>,
): Promise<ReplayResult[]> {
  requireOps(caller);
  const bulk = bulkOf(body);
  const ids = bulk.messages ?? (await failedTo(deps, bulk.failedTo!, bulk.since));
  const results: ReplayResult[] = [];
  for (const messageId of ids) {
    try {
      const replayed = await replayMessage(deps, caller, messageId, bulk.service);
      results.push({ messageId, status: replayed.status });
    } catch (error) {
      const problem = (error as HubError).issues?.map((i) => i.diagnostics).join(' ') ?? (error as Error).message;
      results.push({ messageId, problem });
    }
  }
  return results;
}

/**
 * The patient a message is about, for ops who need it to sort out a problem (to tell a practice which referral,
 * say): shown only when asked for, and each showing is recorded on the message's timeline with who asked.
 */
/** What stands in for a patient in a message shown to ops: the resource's type and id, nothing about the person. */
export const PATIENT_HIDDEN = 'hidden: ask for the patient to see them (each showing is recorded)';

/**
 * A message as its sender sent it, for ops: the FHIR Bundle and the headers the hub recorded, with every Patient in
 * it reduced to its id (the patient is shown only when asked, through $patient, and each showing recorded).
 */
export async function messageContent(
  deps: HubDependencies,
  caller: Caller,
  messageId: string,
): Promise<{ headers: Record<string, string>; bundle: MessageBundle }> {
  requireOps(caller);
  const record = await deps.store.get(messageId);
  const bundle = record && (await deps.store.getBundle(messageId));
  if (!record || !bundle)
    throw new NotFoundError('No content', [
      issue('not-found', `Message ${messageId} is not held (none such, or its body is past its retention)`),
    ]);
  const hidden: MessageBundle = {
    ...bundle,
    entry: (bundle.entry ?? []).map((entry) =>
      entry.resource?.resourceType === 'Patient'
        ? {
            ...entry,
            resource: {
              resourceType: 'Patient',
              ...(entry.resource.id ? { id: entry.resource.id } : {}),
              meta: { tag: [{ display: PATIENT_HIDDEN }] },
            },
          }
        : entry,
    ),
  };
  return {
    headers: {
      'X-Request-Id': record.requestId,
      'X-Correlation-Id': record.correlationId,
    },
    bundle: hidden,
  };
}

export async function patientOfMessage(deps: HubDependencies, caller: Caller, messageId: string): Promise<Patient> {
  requireOps(caller);
  const bundle = await deps.store.getBundle(messageId);
  const patient = bundle?.entry?.map((e) => e.resource).find((r): r is Patient => r?.resourceType === 'Patient');
  if (!patient)
    throw new NotFoundError('No patient details', [
      issue('not-found', `Message ${messageId} holds no patient details (none sent, or past their retention)`),
    ]);
  const now = deps.clock.now();
  await deps.store.update(messageId, {
    events: [timelineEvent('fetched', now, { detail: `patient details shown to ${actor(caller)} (ops)` })],
    at: now,
  });
  return patient;
}
