import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { acknowledgeMailboxMessage, fetchFromMailbox, listMailbox } from '../../core/services/mailbox.js';
import { httpHandler } from '../lib/http.js';
import { hubFromEnvironment } from '../lib/hub.js';
import { withObservability } from '../lib/lambda.js';
import { hubLog } from '../lib/observability.js';

const { deps, opsOrganisations } = hubFromEnvironment();

/** What a mailbox listing shows of a message: enough to fetch it, no clinical content. */
function summary(record: MessageRecord) {
  return {
    messageId: record.messageId,
    event: record.event,
    kind: record.kind,
    from: record.senderOrganisation,
    correlationId: record.correlationId,
    receivedAt: record.createdAt,
    ...(record.inReplyTo ? { inReplyTo: record.inReplyTo } : {}),
    ...(record.outcome ? { outcome: record.outcome } : {}),
    fetch: `mailbox/${record.messageId}`,
    acknowledge: `mailbox/${record.messageId}/$acknowledge`,
  };
}

export const handler = withObservability(
  httpHandler(
    {
      'GET /mailbox': async (request) => {
        const page = await listMailbox(deps, request.caller, request.query.cursor);
        return {
          status: 200,
          contentType: 'application/json',
          body: {
            organisation: request.caller.organisation,
            messages: page.items.map(summary),
            ...(page.cursor ? { next: page.cursor } : {}),
          },
        };
      },
      'GET /mailbox/{id}': async (request) => ({
        status: 200,
        body: await fetchFromMailbox(deps, request.caller, request.path.id!),
      }),
      'POST /mailbox/{id}/$acknowledge': async (request) => {
        const record = await acknowledgeMailboxMessage(deps, request.caller, request.path.id!);
        return {
          status: 200,
          contentType: 'application/json',
          body: { messageId: record.messageId, status: record.status },
        };
      },
    },
    { opsOrganisations, log: hubLog },
  ),
);
