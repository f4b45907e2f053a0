import { BadRequestError, issue } from '../../core/errors.js';
import { listMessages, messageStatus, replayMessage } from '../../core/services/messages.js';
import { httpHandler } from '../lib/http.js';
import { hubFromEnvironment } from '../lib/hub.js';
import { withObservability } from '../lib/lambda.js';
import { hubLog } from '../lib/observability.js';

const { deps, opsOrganisations } = hubFromEnvironment();

function replayTarget(rawBody: string | undefined): string | undefined {
  if (!rawBody?.trim()) return undefined;
  try {
    const parsed = JSON.parse(rawBody) as { service?: unknown };
    if (parsed.service === undefined || typeof parsed.service === 'string') return parsed.service;
  } catch {
    // reported below
  }
  throw new BadRequestError('Bad replay request', [
    issue('invalid', 'The body, when sent, must be JSON {"service": "<service id>"}', 'service'),
  ]);
}

export const handler = withObservability(
  httpHandler(
    {
      'GET /messages': async (request) => {
        const page = await listMessages(deps, request.caller, request.query);
        return {
          status: 200,
          contentType: 'application/json',
          body: { messages: page.items, ...(page.cursor ? { next: page.cursor } : {}) },
        };
      },
      'GET /messages/{id}': async (request) => ({
        status: 200,
        contentType: 'application/json',
        body: await messageStatus(deps, request.caller, request.path.id!),
      }),
      'POST /messages/{id}/$replay': async (request) => ({
        status: 202,
        contentType: 'application/json',
        body: await replayMessage(deps, request.caller, request.path.id!, replayTarget(request.rawBody)),
      }),
    },
    { opsOrganisations, log: hubLog },
  ),
);
