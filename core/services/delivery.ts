import type { OperationOutcome } from 'fhir/r4';
import { barsPushHeaders } from '../fhir/bars-headers.js';
import { SYSTEMS } from '../fhir/systems.js';
import { DELIVERABLE } from '../lifecycle/delivery-lifecycle.js';
import { classifyReceiverAnswer, retryDelaySeconds } from '../lifecycle/delivery-policy.js';
import {
  type Destination,
  type MailboxDelivery,
  type MessageRecord,
  type MessageStatus,
  type QueuedDelivery,
  type TimelineEvent,
  timelineEvent,
} from '../lifecycle/message-record.js';
import { statusChange, statusChangeFromAny } from '../lifecycle/transitions.js';
import type { HubDependencies } from './dependencies.js';
import { deterministicId } from './deterministic-id.js';
import { notifySender } from './notifications.js';
import { tellTeamOfUrgentWork } from './team-emails.js';

/** What the queue adapter does with the record: remove it, or make it visible again after a delay. */
export type DeliveryOutcome = { action: 'done' } | { action: 'retry'; delaySeconds: number };

/**
 * One delivery attempt of one message. Idempotent per message: the attempt is claimed by a conditional write on
 * (status, attempts), so a redelivered queue record or a second worker never delivers the same attempt twice, and
 * every write after the attempt expects that claim still to hold: a late worker whose claim was released (or whose
 * message was failed meanwhile) records what happened on the timeline but changes no status.
 */
export async function deliverMessage(
  deps: HubDependencies,
  delivery: QueuedDelivery,
  leaseSeconds: number,
): Promise<DeliveryOutcome> {
  const { messageId } = delivery;
  const start = firstWriteOf(delivery);
  if (delivery.mailbox && (await placedInMailbox(deps, messageId, delivery.mailbox, start))) return { action: 'done' };
  const claim = await claimAttempt(deps, messageId, leaseSeconds, start);
  // Another worker holds the attempt: look again once its claim would have gone stale, in case that worker died
  // (after a restart of the local hub, or a lost queue record, nothing else would bring the message back soon).
  if (claim && 'heldForSeconds' in claim) return { action: 'retry', delaySeconds: claim.heldForSeconds + 1 };
  if (!claim) return { action: 'done' };
  const claimed = claim;
  const attempt = claimed.attempts;
  deps.metric('DeliveryAttempt');
  const destination = claimed.destination;
  const afterAttempt = (to: Parameters<typeof statusChange>[1], rest: Parameters<typeof statusChange>[2]) =>
    deps.store.update(messageId, statusChange(claimed, to, { ...rest, expect: { attempts: attempt } }));

  if (destination.channel === 'mailbox') {
    const at = deps.clock.now();
    const placed = await afterAttempt('in-mailbox', {
      mailbox: destination.organisation,
      at,
      events: [inMailboxEvent(destination, at)],
    });
    if (placed) await afterPlacedInMailbox(deps, placed);
    return { action: 'done' };
  }

  const bundle = await deps.store.getBundle(messageId);
  if (!bundle) {
    await failMessage(deps, claimed, 'The stored message body is missing');
    return { action: 'done' };
  }
  const headers = barsPushHeaders(claimed, deterministicId(`${messageId}:push:${claimed.replays}`));
  if (destination.authentication === 'hub-token')
    headers.authorization = `Bearer ${await deps.receiverToken(destination.address!)}`;
  const result = await deps.transport.push({
    address: destination.address!,
    bundle,
    headers,
    timeoutMs: deps.policy.pushTimeoutMs,
  });
  const kind = classifyReceiverAnswer(
    result.status,
    (result.answer?.issue ?? []).map((i) => i.code),
  );
  const at = deps.clock.now();
  const said = result.answer ? receiverSaid(result.answer) : undefined;
  const detail = said ? `${result.detail}: ${said}` : result.detail;
  const attemptEvent = timelineEvent('delivery-attempt', at, {
    attempt,
    result: kind === 'duplicate' ? 'success' : kind,
    detail,
    ...serviceOf(destination),
  });
  if (kind === 'success' || kind === 'duplicate') {
    const delivered = await afterAttempt('delivered', {
      events: [
        attemptEvent,
        timelineEvent('delivered', at, {
          attempt,
          ...serviceOf(destination),
          ...(kind === 'duplicate' ? { detail: 'the receiver already had it (409 duplicate)' } : {}),
        }),
      ],
      at,
    });
    if (!delivered) return lateResult(deps, messageId, attemptEvent);
    deps.metric('DeliverySucceeded');
    await confirmReplayedDelivery(deps, delivered);
    return { action: 'done' };
  }
  if (kind === 'transient' && attempt < deps.policy.maxAttempts) {
    const delaySeconds = retryDelaySeconds(attempt, deps.policy, Math.random, result.retryAfterSeconds);
    const retrying = await afterAttempt('retrying', {
      events: [{ ...attemptEvent, detail: `${detail}; retry in ${delaySeconds}s` }],
      at,
    });
    if (!retrying) return lateResult(deps, messageId, attemptEvent);
    deps.metric('DeliveryRetried');
    return { action: 'retry', delaySeconds };
  }
  const why =
    kind === 'permanent'
      ? `the receiver refused it: ${detail}`
      : `no successful delivery after ${attempt} attempts; last: ${detail}`;
  await failMessage(deps, claimed, why, [attemptEvent], kind === 'permanent' ? result.answer : undefined);
  return { action: 'done' };
}

/** What a delivery's first write starts from, and the events it records before its own. */
interface FirstWrite {
  from: readonly MessageStatus[];
  events: TimelineEvent[];
}

/**
 * A record the ingest enqueued for a message it had just stored starts from 'accepted' and records when it was
 * queued; any other record (a sweep's, a replay's, a resume's) starts from whichever state a delivery may start in.
 */
function firstWriteOf(delivery: QueuedDelivery): FirstWrite {
  return delivery.queuedAt
    ? { from: ['accepted'], events: [timelineEvent('queued', new Date(delivery.queuedAt))] }
    : { from: DELIVERABLE, events: [] };
}

const inMailboxEvent = (destination: MailboxDelivery, at: Date) =>
  timelineEvent('in-mailbox', at, {
    detail: `waiting in ${destination.organisation}'s mailbox`,
    ...(destination.serviceId ? { serviceId: destination.serviceId } : {}),
  });

/**
 * Most mailbox deliveries: the queue said where the message goes, so it is placed there in one conditional write
 * (from any state a delivery starts in, to that mailbox only). False when that does not hold (a replay sent it
 * elsewhere, it is placed already, its service is paused): the claim below then reads what is true now.
 */
async function placedInMailbox(
  deps: HubDependencies,
  messageId: string,
  mailbox: MailboxDelivery,
  start: FirstWrite,
): Promise<boolean> {
  if (await isPaused(deps, mailbox)) return false;
  const at = deps.clock.now();
  const placed = await deps.store.update(
    messageId,
    statusChangeFromAny(start.from, 'in-mailbox', {
      expect: { mailboxOf: mailbox.organisation },
      incrementAttempts: true,
      mailbox: mailbox.organisation,
      events: [...start.events, inMailboxEvent(mailbox, at)],
      at,
    }),
  );
  if (!placed) return false;
  deps.metric('DeliveryAttempt');
  await afterPlacedInMailbox(deps, placed);
  return true;
}

async function afterPlacedInMailbox(deps: HubDependencies, placed: MessageRecord) {
  deps.metric('DeliveredToMailbox');
  await confirmReplayedDelivery(deps, placed);
  // A team without a clinical system is told of urgent work at its shared mailbox, if it asked to be.
  await tellTeamOfUrgentWork(deps, placed);
}

/** Whether ops have paused deliveries to this service (the directory's cached view). */
async function isPaused(deps: HubDependencies, destination: MailboxDelivery): Promise<boolean> {
  if (!destination.serviceId) return false;
  const network = await deps.directory.networkOfOrganisation(destination.organisation);
  return network?.availability.get(destination.serviceId)?.deliveriesPaused === true;
}

/** The paused service a message is for, when ops have paused its deliveries. */
async function pausedService(deps: HubDependencies, record: MessageRecord): Promise<string | undefined> {
  if (!(await isPaused(deps, record.destination))) return undefined;
  return record.destination.serviceName ?? record.destination.organisation;
}

const heldEvent = (service: string, at: Date) =>
  timelineEvent('held', at, { detail: `${service} is paused by ops: the delivery waits` });

/**
 * A delivery to a destination ops have paused waits: no attempt is spent, the message stays pending (noted once on
 * its timeline), and it is enqueued again when ops resume the destination (or by the sweep meanwhile).
 */
async function heldByOps(deps: HubDependencies, record: MessageRecord): Promise<boolean> {
  const paused = await pausedService(deps, record);
  if (!paused) return false;
  if (record.timeline.at(-1)?.type !== 'held') {
    const now = deps.clock.now();
    await deps.store.update(record.messageId, { events: [heldEvent(paused, now)], at: now });
  }
  return true;
}

/** Times a worker re-reads and tries again to claim an attempt whose status moved under it (another worker's claim). */
const CLAIM_TRIES = 3;

/**
 * Claims the next attempt: a conditional write from the status read (and its attempt count). When the status moved
 * meanwhile to another deliverable one, the claim is read and tried again; when it moved on (delivered, failed,
 * claimed by another worker), there is nothing to do.
 */
async function claimAttempt(
  deps: HubDependencies,
  messageId: string,
  leaseSeconds: number,
  start: FirstWrite,
): Promise<MessageRecord | { heldForSeconds: number } | undefined> {
  // Most deliveries: one conditional write claims the next attempt from whichever state this delivery starts in.
  const claimed = await deps.store.update(
    messageId,
    statusChangeFromAny(start.from, 'delivering', {
      incrementAttempts: true,
      events: start.events,
      at: deps.clock.now(),
    }),
  );
  if (claimed) {
    const paused = await pausedService(deps, claimed);
    if (!paused) return claimed;
    // Paused meanwhile: the claim is given back, no attempt spent, and the message waits as before.
    const now = deps.clock.now();
    await deps.store.update(
      messageId,
      statusChange(claimed, 'queued', {
        expect: { attempts: claimed.attempts },
        attempts: claimed.attempts - 1,
        events: claimed.timeline.at(-1)?.type === 'held' ? [] : [heldEvent(paused, now)],
        at: now,
      }),
    );
    return undefined;
  }
  // Otherwise read it: another worker's claim (live or stale), a paused destination, or nothing left to deliver.
  for (let tries = 0; tries < CLAIM_TRIES; tries++) {
    const record = await deps.store.get(messageId);
    if (!record) {
      deps.log.warn('delivery for an unknown message dropped', { messageId });
      return undefined;
    }
    const now = deps.clock.now();
    const claimedAgoMs = now.getTime() - Date.parse(record.updatedAt);
    const stale = record.status === 'delivering' && claimedAgoMs > leaseSeconds * 1000;
    if (record.status === 'delivering' && !stale)
      return { heldForSeconds: Math.ceil(leaseSeconds - claimedAgoMs / 1000) };
    if (!DELIVERABLE.includes(record.status) && !stale) return undefined;
    if (await heldByOps(deps, record)) return undefined;
    if (stale && record.attempts >= deps.policy.maxAttempts) {
      // A message whose worker keeps dying mid-attempt ends like any other: failed, its sender told.
      await failMessage(deps, record, `the delivery worker stopped ${record.attempts} times during an attempt`);
      return undefined;
    }
    const claimed = await deps.store.update(
      messageId,
      statusChange(record, 'delivering', {
        expect: { attempts: record.attempts },
        attempts: record.attempts + 1,
        events: record.status === 'accepted' ? start.events : [],
        at: now,
      }),
    );
    if (claimed) return claimed;
  }
  return undefined;
}

/** A worker whose claim no longer holds: the attempt is kept on the timeline, the status is left to its owner. */
async function lateResult(
  deps: HubDependencies,
  messageId: string,
  attemptEvent: ReturnType<typeof timelineEvent>,
): Promise<DeliveryOutcome> {
  deps.log.warn('late delivery result not applied: the message moved on', { messageId });
  await deps.store.update(messageId, {
    events: [{ ...attemptEvent, type: 'late-result', detail: `${attemptEvent.detail} (after the message moved on)` }],
    at: deps.clock.now(),
  });
  return { action: 'done' };
}

/**
 * Terminal failure, from the status the caller read: the message becomes 'failed' (visible to ops, replayable) and,
 * for a practice's request, the sender is sent a fatal-error response. The receiver's outcome is left alone: the
 * receiver never answered. When the status moved meanwhile (another worker, a replay), nothing is written or sent.
 * Crash-safe: the same write puts the message in the deadline sweep's view, so if the process dies before the
 * sender is told, the sweep tells it (the notice's id is made from the message: it is never sent twice).
 */
export async function failMessage(
  deps: HubDependencies,
  record: MessageRecord,
  reason: string,
  events: ReturnType<typeof timelineEvent>[] = [],
  receiverAnswer?: OperationOutcome,
): Promise<void> {
  const now = deps.clock.now();
  const failed = await deps.store.update(
    record.messageId,
    statusChange(record, 'failed', {
      ...(record.status === 'delivering' ? { expect: { attempts: record.attempts } } : {}),
      ...(receiverAnswer ? { receiverAnswer: boundedAnswer(receiverAnswer) } : {}),
      mailbox: null,
      dueAt: now.toISOString(),
      events: [...events, timelineEvent('failed', now, { detail: reason })],
      at: now,
    }),
  );
  if (!failed) return;
  deps.metric('DeliveryFailed');
  deps.log.warn('message failed', { messageId: record.messageId, destination: record.destination.organisation });
  await tellSenderOfFailure(deps, failed);
}

/** The fatal-error response for a failed message (once per failure), then out of the deadline sweep's view. */
export async function tellSenderOfFailure(deps: HubDependencies, failed: MessageRecord): Promise<void> {
  const reason = failed.timeline.findLast((e) => e.type === 'failed')?.detail ?? 'delivery failed';
  await notifySender(deps, failed, {
    code: 'fatal-error',
    text: `Delivery to ${failed.destination.organisationName ?? failed.destination.organisation} failed: ${reason}`,
    id: deterministicId(`${failed.messageId}:fatal-error:${failed.replays}`),
    // BaRS: a receiver's refusal reaches the sender as the receiver wrote it.
    ...(failed.receiverAnswer ? { outcome: failed.receiverAnswer } : {}),
  });
  await deps.store.update(failed.messageId, {
    expect: { due: true },
    clearDue: true,
    events: [],
    at: deps.clock.now(),
  });
}

/** After a replay, the practice that was told "failed" is told the referral has now arrived. */
async function confirmReplayedDelivery(deps: HubDependencies, record: MessageRecord): Promise<void> {
  if (record.replays === 0) return;
  const where =
    record.destination.serviceName ?? record.destination.organisationName ?? record.destination.organisation;
  await notifySender(deps, record, {
    code: 'ok',
    text: `After an earlier delivery failure the hub re-sent this referral, and it has now been delivered to ${where}${
      record.destination.channel === 'mailbox' ? "'s mailbox" : ''
    }.`,
  });
}

/** The most of a receiver's OperationOutcome the hub keeps and passes on: its issues, each diagnostics cut short. */
const RECEIVER_ANSWER_ISSUES = 10;
const RECEIVER_DIAGNOSTICS_CHARS = 500;

/** A receiver's OperationOutcome as the hub keeps it: bounded, so no receiver can swell a record. */
function boundedAnswer(answer: OperationOutcome): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: answer.issue.slice(0, RECEIVER_ANSWER_ISSUES).map((i) => ({
      severity: i.severity,
      code: i.code,
      ...(i.details ? { details: i.details } : {}),
      ...(i.diagnostics ? { diagnostics: i.diagnostics.slice(0, RECEIVER_DIAGNOSTICS_CHARS) } : {}),
      ...(i.expression ? { expression: i.expression.slice(0, RECEIVER_ANSWER_ISSUES) } : {}),
    })),
  };
}

/** What a receiver's OperationOutcome said, for the timeline: its BaRS code and first diagnostics. */
function receiverSaid(answer: OperationOutcome): string | undefined {
  const first = answer.issue?.[0];
  if (!first) return undefined;
  const code = first.details?.coding?.find((c) => c.system === SYSTEMS.httpErrorCodes)?.code;
  const text = first.diagnostics?.slice(0, RECEIVER_DIAGNOSTICS_CHARS);
  return [code, text].filter(Boolean).join(' ') || undefined;
}

/** The service a delivery event is about, so ops' health of services follows where each attempt went. */
function serviceOf(destination: Destination): Pick<TimelineEvent, 'serviceId'> {
  return destination.serviceId ? { serviceId: destination.serviceId } : {};
}
