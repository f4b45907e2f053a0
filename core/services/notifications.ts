import type { OperationOutcome } from 'fhir/r4';
import { type HubResponseCode, hubNotification } from '../fhir/hub-messages.js';
import { type Destination, firstDelivery, type MessageRecord, timelineEvent } from '../lifecycle/message-record.js';
import type { HubDependencies } from './dependencies.js';
import { returnAddress } from './destinations.js';

export interface Notice {
  code: HubResponseCode;
  text: string;
  severity?: 'information' | 'warning' | 'error';
  /** A deterministic id: sending the same notice again finds it already sent (returns undefined). */
  id?: string;
  /** The receiver's own OperationOutcome, sent in place of the hub's when a receiver refused the message. */
  outcome?: OperationOutcome;
}

/**
 * Sends the hub's own servicerequest-response about a message to an organisation, delivered like any answer. Returns
 * the notification's id, or undefined when a notice with the same deterministic id was already sent.
 */
export async function sendNotification(
  deps: HubDependencies,
  about: MessageRecord,
  to: Destination,
  notice: Notice,
): Promise<string | undefined> {
  const now = deps.clock.now();
  const bundle = hubNotification(deps.self, { about: about.messageId, to: to.organisation, ...notice }, now);
  const at = now.toISOString();
  const notification: MessageRecord = {
    messageId: bundle.id!,
    kind: 'notification',
    event: 'servicerequest-response',
    requestId: crypto.randomUUID(),
    correlationId: about.correlationId,
    senderOrganisation: deps.self.odsCode,
    senderName: deps.self.name,
    notice: notice.text,
    destination: to,
    status: 'accepted',
    attempts: 0,
    replays: 0,
    inReplyTo: about.messageId,
    createdAt: at,
    updatedAt: at,
    timeline: [
      timelineEvent('received', now, {
        detail: `created by the hub: ${notice.text}`,
        relatedMessageId: about.messageId,
      }),
    ],
  };
  // Sent already, or being sent by another worker (the same notice's id is made from what it is about).
  if ((await deps.store.create(notification, bundle)) !== 'created') return undefined;
  try {
    await deps.queue.enqueue(firstDelivery(notification, deps.clock.now()));
  } catch (error) {
    deps.metric('EnqueueFailed');
    deps.log.error('enqueue of a notification failed; the sweep will enqueue it', {
      messageId: notification.messageId,
      error: (error as Error).message,
    });
  }
  deps.metric('SenderNotified');
  return notification.messageId;
}

/**
 * Tells the sender of a request what the hub did with it (delivery failed; re-sent by ops; delivered after a
 * replay) through its return address, and records a 'sender-notified' event on the request's timeline. Answers and
 * notifications are never answered (that would loop).
 */
export async function notifySender(deps: HubDependencies, record: MessageRecord, notice: Notice): Promise<void> {
  if (record.kind !== 'request') return;
  const destination = await returnAddress(deps.directory, record.senderOrganisation);
  const id = await sendNotification(deps, record, destination, notice);
  if (!id) return;
  await deps.store.update(record.messageId, {
    events: [
      timelineEvent('sender-notified', deps.clock.now(), {
        detail: `${notice.code} response sent to ${record.senderOrganisation} by ${destination.channel}: ${notice.text}`,
        relatedMessageId: id,
      }),
    ],
    at: deps.clock.now(),
  });
}
