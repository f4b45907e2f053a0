import { actor, type Caller, requireRole } from '../auth.js';
import { ConflictError, issue, NotFoundError, UnprocessableError } from '../errors.js';
import { type MessageRecord, queuedDelivery, timelineEvent } from '../lifecycle/message-record.js';
import { outcomeChange } from '../lifecycle/transitions.js';
import type { HubDependencies } from './dependencies.js';
import { deterministicId } from './deterministic-id.js';
import { serviceDestination } from './message-listings.js';
import { notifySender } from './notifications.js';

/** Longest reason a team may give for passing a referral on (it is shown to the practice). */
export const MAX_FORWARD_REASON_LENGTH = 500;

/**
 * A receiver passes a referral that reached the wrong service on to another service of the practice's network, with
 * a reason, before taking it on. The hub sends it on as a new message of the same case (its own id, the same
 * X-Correlation-Id), marks the original 'forwarded' (final: its first receiver is done with it), and tells the
 * practice where it went and why. Each step is safe to repeat: the new message's id is derived from the original's.
 */
export async function forwardMessage(
  deps: HubDependencies,
  caller: Caller,
  messageId: string,
  request: { service?: unknown; reason?: unknown },
): Promise<MessageRecord> {
  requireRole(caller, ['receiver'], 'Passing a referral on');
  const record = await deps.store.get(messageId);
  if (!record || record.destination.organisation !== caller.organisation || record.kind !== 'request')
    throw new NotFoundError('No such message', [
      issue('not-found', `No message ${messageId} for ${caller.organisation}`),
    ]);
  const reason = typeof request.reason === 'string' ? request.reason.trim() : '';
  if (typeof request.service !== 'string' || !reason || reason.length > MAX_FORWARD_REASON_LENGTH)
    throw new UnprocessableError('Service and reason', [
      issue('required', `Say which service (its id) and why, in up to ${MAX_FORWARD_REASON_LENGTH} characters`),
    ]);
  const destination = await serviceDestination(deps, record, request.service);
  if (destination.serviceId === record.destination.serviceId)
    throw new UnprocessableError('Same service', [issue('value', 'It is already with that service', 'service')]);
  const now = deps.clock.now();
  const where = destination.serviceName ?? destination.organisation;
  const forwardedId = deterministicId(`${messageId}:forwarded`);
  const change = outcomeChange(record, 'forwarded', {
    mailbox: null,
    clearDue: true, // its first receiver is done with it: the new message carries the clock
    ...(record.overdue ? { overdue: false } : {}),
    events: [
      timelineEvent('forwarded', now, {
        detail: `passed on by ${actor(caller)} to ${where}: ${reason}`,
        relatedMessageId: forwardedId,
      }),
    ],
    at: now,
  });
  const bundle = await deps.store.getBundle(messageId);
  if (!bundle)
    throw new NotFoundError('Body gone', [issue('not-found', `The body of message ${messageId} is no longer held`)]);
  const forwarded: MessageRecord = {
    ...record,
    messageId: forwardedId,
    destination,
    status: 'accepted',
    attempts: 0,
    replays: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    timeline: [
      timelineEvent('received', now, { detail: `passed on by ${actor(caller)} from message ${messageId}` }),
      timelineEvent('routed', now, { detail: `-> ${where}: ${reason}` }),
    ],
  };
  delete forwarded.outcome;
  delete forwarded.outcomeReason;
  // The new message first (a repeat finds it there), then the original marked, then the queue and the practice.
  await deps.store.create(forwarded, { ...bundle, id: forwardedId });
  if (change) {
    const updated = await deps.store.update(messageId, change);
    if (!updated)
      throw new ConflictError('Changed', [issue('conflict', `Message ${messageId} changed meanwhile; look again`)]);
  }
  await deps.queue.enqueue(queuedDelivery(forwarded)).catch((error: Error) => {
    deps.metric('EnqueueFailed'); // stored as accepted: the sweep enqueues it
    deps.log.error('enqueue of a forwarded message failed; the sweep will enqueue it', {
      messageId: forwardedId,
      error: error.message,
    });
  });
  await notifySender(deps, (await deps.store.get(messageId)) ?? record, {
    code: 'ok',
    text: `${caller.organisation} passed this referral on to ${where} (message ${forwardedId}): ${reason}`,
  });
  return (await deps.store.get(messageId)) ?? record;
}
