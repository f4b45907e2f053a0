import { type HubResponseCode, hubNotification } from '../fhir/hub-messages.js';
import { type MessageRecord, timelineEvent } from '../lifecycle/message-record.js';
import { returnAddress } from '../routing/destinations.js';
import type { HubDependencies } from './dependencies.js';

/**
 * Tells the sender of a request what the hub did with it (delivery failed; re-sent by ops; delivered after a
 * replay): a servicerequest-response from the hub, delivered like any answer through the sender's return address,
 * and a 'sender-notified' event on the request's timeline. Answers and notifications are never answered (that
 * would loop).
 */
export async function notifySender(
  deps: HubDependencies,
  record: MessageRecord,
  message: { code: HubResponseCode; text: string },
): Promise<void> {
  if (record.kind !== 'request') return;
  const now = deps.clock.now();
  const bundle = hubNotification(deps.hub, record, message.code, message.text, now);
  const destination = await returnAddress(deps.directory, record.senderOrganisation);
  const at = now.toISOString();
  const notification: MessageRecord = {
    messageId: bundle.id!,
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
    createdAt: at,
    updatedAt: at,
    timeline: [
      timelineEvent('received', now, {
        detail: `created by the hub: ${message.text}`,
        relatedMessageId: record.messageId,
      }),
    ],
  };
  await deps.store.create(notification, bundle);
  await deps.queue.enqueue(notification.messageId).catch((error: Error) =>
    deps.log.error('enqueue of a notification failed; the sweep will retry', {
      messageId: notification.messageId,
      error: error.message,
    }),
  );
  await deps.store.update(record.messageId, {
    events: [
      timelineEvent('sender-notified', deps.clock.now(), {
        detail: `${message.code} response sent to ${record.senderOrganisation} by ${destination.channel}: ${message.text}`,
        relatedMessageId: notification.messageId,
      }),
    ],
    at: deps.clock.now(),
  });
  deps.metric('SenderNotified');
}
