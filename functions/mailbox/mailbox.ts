import { pageLinks } from '../../core/fhir/paging.js';
import type { Hub } from '../../core/hub.js';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { acknowledgeMailboxMessage, fetchFromMailbox, listMailbox } from '../../core/services/mailbox.js';
import { httpHandler } from '../lib/http.js';

/** What a mailbox listing shows of a message: enough to fetch it, no clinical content. */
function summary(record: MessageRecord) {
  return {
    messageId: record.messageId,
    event: record.event,
    kind: record.kind,
    from: record.senderOrganisation,
    requestId: record.requestId,
    correlationId: record.correlationId,
    receivedAt: record.createdAt,
    ...(record.inReplyTo ? { inReplyTo: record.inReplyTo } : {}),
    ...(record.outcome ? { outcome: record.outcome } : {}),
    fetch: `mailbox/${record.messageId}`,
    acknowledge: `mailbox/${record.messageId}/$acknowledge`,
  };
}

/** Receivers without a FHIR endpoint pull their messages and acknowledge them. */
export function createMailboxHandler(hub: Hub) {
  return httpHandler(
    'mailbox',
    {
      'GET /mailbox': async (request) => {
        const page = await listMailbox(hub, request.caller, request.query);
        return {
          status: 200,
          contentType: 'application/json',
          body: {
            organisation: request.caller.organisation,
            messages: page.items.map(summary),
            ...(page.cursor ? { next: page.cursor } : {}),
            link: pageLinks(`${hub.self.baseUrl}/mailbox`, request.query, page.cursor),
          },
        };
      },
      'GET /mailbox/{id}': async (request) => {
        const { record, bundle } = await fetchFromMailbox(hub, request.caller, request.path.id!);
        // The sender's own BaRS ids, as a pushed delivery would carry them, so the receiver can discard copies.
        return {
          status: 200,
          body: bundle,
          headers: { 'X-Request-Id': record.requestId, 'X-Correlation-Id': record.correlationId },
        };
      },
      'POST /mailbox/{id}/$acknowledge': async (request) => {
        const record = await acknowledgeMailboxMessage(hub, request.caller, request.path.id!);
        return {
          status: 200,
          contentType: 'application/json',
          body: { messageId: record.messageId, status: record.status },
        };
      },
    },
    hub,
  );
}
