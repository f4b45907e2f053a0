import { ingestMessage } from '../../core/services/ingest.js';
import { httpHandler, parseFhirBody, requireBarsIds, targetIdentifier } from '../lib/http.js';
import { hubFromEnvironment } from '../lib/hub.js';
import { withObservability } from '../lib/lambda.js';
import { hubLog } from '../lib/observability.js';

const { deps, opsOrganisations } = hubFromEnvironment();

export const handler = withObservability(
  httpHandler(
    {
      'POST /$process-message': async (request) => {
        const ids = requireBarsIds(request.headers);
        const target = targetIdentifier(request.headers);
        const accepted = await ingestMessage(deps, {
          body: parseFhirBody(request),
          ...ids,
          caller: request.caller,
          ...(target ? { target } : {}),
        });
        return { status: 202, body: accepted.outcome, headers: { Location: `messages/${accepted.record.messageId}` } };
      },
    },
    { opsOrganisations, log: hubLog, onRefused: () => deps.metric('MessageRejected') },
  ),
);
