import type { Hub } from '../../core/hub.js';
import { ingestMessage } from '../../core/services/ingest.js';
import { httpHandler, parseFhirBody, requireBarsIds, targetIdentifier } from '../lib/http.js';

/** POST /$process-message: validate, route, store, enqueue. */
export function createIngestHandler(hub: Hub) {
  return httpHandler(
    'ingest',
    {
      'POST /$process-message': async (request) => {
        const ids = requireBarsIds(request.headers);
        const target = targetIdentifier(request.headers);
        const accepted = await ingestMessage(hub, {
          body: parseFhirBody(request),
          ...(request.rawBody ? { rawBody: request.rawBody } : {}),
          ...ids,
          caller: request.caller,
          ...(target ? { target } : {}),
        });
        return {
          status: 202,
          body: accepted.outcome,
          headers: { Location: `messages/${accepted.record.messageId}` },
        };
      },
    },
    hub,
  );
}
