import { failureNotification } from '../fhir/hub-messages.js';
import { classifyHttpStatus, retryDelaySeconds } from '../lifecycle/delivery-policy.js';
import { DELIVERABLE, type MessageRecord, timelineEvent } from '../lifecycle/message-record.js';
import { returnAddress } from './addresses.js';
import type { HubDependencies } from './dependencies.js';

/** What the queue adapter does with the record: remove it, or make it visible again after a delay. */
export type DeliveryOutcome = { action: 'done' } | { action: 'retry'; delaySeconds: number };

/**
 * One delivery attempt of one message. Idempotent per message: the attempt is claimed by a conditional write on
 * (status, attempts), so a redelivered queue record or a second worker never delivers the same attempt twice, and
 * a message already delivered, failed or acknowledged is left alone.
 */
export async function deliverMessage(
  deps: HubDependencies,
  messageId: string,
  leaseSeconds: number,
): Promise<DeliveryOutcome> {
  const record = await deps.store.get(messageId);
  if (!record) {
    deps.log.warn('delivery for an unknown message dropped', { messageId });
    return { action: 'done' };
  }
  const now = deps.clock.now();
  const stale = record.status === 'delivering' && Date.parse(record.updatedAt) < now.getTime() - leaseSeconds * 1000;
  if (!DELIVERABLE.includes(record.status) && !stale) return { action: 'done' };
  const attempt = record.attempts + 1;
  const claimed = await deps.store.update(messageId, {
    fromStatuses: stale ? ['delivering'] : DELIVERABLE,
    expectAttempts: record.attempts,
    status: 'delivering',
    attempts: attempt,
    events: [],
    at: now,
  });
  if (!claimed) return { action: 'done' };
  deps.metric('DeliveryAttempt');
  const destination = claimed.destination;

  if (destination.channel === 'mailbox') {
    await deps.store.update(messageId, {
      status: 'in-mailbox',
      mailbox: destination.organisation,
      at: deps.clock.now(),
      events: [
        timelineEvent('in-mailbox', deps.clock.now(), {
          attempt,
          detail: `waiting in ${destination.organisation}'s mailbox`,
        }),
      ],
    });
    deps.metric('DeliveredToMailbox');
    return { action: 'done' };
  }

  const bundle = await deps.store.getBundle(messageId);
  if (!bundle) {
    await failMessage(deps, claimed, 'The stored message body is missing');
    return { action: 'done' };
  }
  const result = await deps.transport.push({
    address: destination.address!,
    bundle,
    requestId: claimed.requestId,
    correlationId: claimed.correlationId,
    timeoutMs: deps.policy.pushTimeoutMs,
  });
  const kind = classifyHttpStatus(result.status);
  const attemptEvent = timelineEvent('delivery-attempt', deps.clock.now(), {
    attempt,
    result: kind,
    detail: result.detail,
  });
  if (kind === 'success') {
    await deps.store.update(messageId, {
      status: 'delivered',
      events: [attemptEvent, timelineEvent('delivered', deps.clock.now(), { attempt })],
      at: deps.clock.now(),
    });
    deps.metric('DeliverySucceeded');
    return { action: 'done' };
  }
  if (kind === 'transient' && attempt < deps.policy.maxAttempts) {
    const delaySeconds = retryDelaySeconds(attempt, deps.policy);
    await deps.store.update(messageId, {
      status: 'retrying',
      events: [{ ...attemptEvent, detail: `${result.detail}; retry in ${delaySeconds}s` }],
      at: deps.clock.now(),
    });
    deps.metric('DeliveryRetried');
    return { action: 'retry', delaySeconds };
  }
  await deps.store.update(messageId, { events: [attemptEvent], at: deps.clock.now() });
  const why =
    kind === 'permanent'
      ? `the receiver refused it: ${result.detail}`
      : `no successful delivery after ${attempt} attempts; last: ${result.detail}`;
  await failMessage(deps, claimed, why);
  return { action: 'done' };
}

/**
 * Terminal failure: the message becomes 'failed' (visible to ops, replayable) and, for a practice's request, the
 * sender is sent a servicerequest-response with response.code fatal-error through its own return address.
 */
export async function failMessage(deps: HubDependencies, record: MessageRecord, reason: string): Promise<void> {
  const now = deps.clock.now();
  const failed = await deps.store.update(record.messageId, {
    fromStatuses: ['accepted', 'queued', 'delivering', 'retrying'],
    status: 'failed',
    mailbox: null,
    events: [timelineEvent('failed', now, { detail: reason })],
    at: now,
  });
  if (!failed) return; // already terminal: nothing more to say
  deps.metric('DeliveryFailed');
  deps.log.warn('message failed', { messageId: record.messageId, destination: record.destination.organisation });
  if (record.kind !== 'request') return; // answers about answers would loop
  const notification = failureNotification(
    deps.hub,
    record,
    `Delivery to ${record.destination.organisationName ?? record.destination.organisation} failed: ${reason}`,
    now,
  );
  const destination = await returnAddress(deps.directory, record.senderOrganisation);
  const at = now.toISOString();
  const notificationRecord: MessageRecord = {
    messageId: notification.id!,
    kind: 'notification',
    event: 'servicerequest-response',
    requestId: crypto.randomUUID(),
    correlationId: record.correlationId,
    senderOrganisation: deps.hub.odsCode,
    destination,
    status: 'accepted',
    attempts: 0,
    replays: 0,
    inReplyTo: record.messageId,
    outcome: 'failed',
    createdAt: at,
    updatedAt: at,
    timeline: [
      timelineEvent('received', now, {
        detail: `created by the hub: delivery of ${record.messageId} failed`,
        relatedMessageId: record.messageId,
      }),
    ],
  };
  await deps.store.create(notificationRecord, notification);
  await deps.queue.enqueue(notificationRecord.messageId).catch((error: Error) =>
    deps.log.error('enqueue of failure notification failed; the sweep will retry', {
      messageId: notificationRecord.messageId,
      error: error.message,
    }),
  );
  await deps.store.update(record.messageId, {
    outcome: 'failed',
    outcomeReason: reason,
    events: [
      timelineEvent('sender-notified', deps.clock.now(), {
        detail: `fatal-error response sent to ${record.senderOrganisation} by ${destination.channel}`,
        relatedMessageId: notificationRecord.messageId,
      }),
    ],
    at: deps.clock.now(),
  });
  deps.metric('SenderNotified');
}
