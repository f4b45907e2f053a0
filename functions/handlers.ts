import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import type { HandlerName } from '../core/api/routes.js';
import type { Hub } from '../core/hub.js';
import { createDeadLetterHandler } from './dead-letter/dead-letter.js';
import { createDeadlinesHandler } from './deadlines/deadlines.js';
import { createDeliverHandler } from './deliver/deliver.js';
import { createDirectoryHandler } from './directory/directory.js';
import { createIdentityHandler } from './identity/identity.js';
import { createIngestHandler } from './ingest/ingest.js';
import { createMailboxHandler } from './mailbox/mailbox.js';
import { createMessagesHandler } from './messages/messages.js';
import { createSweepHandler } from './sweep/sweep.js';
import { createTasksHandler } from './tasks/tasks.js';
import { createTrafficHandler } from './traffic/traffic.js';

export type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
export type ScheduledLambda = (event: unknown, context: Context) => Promise<unknown>;
export type StreamLambda = (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;

export type HttpHandlerName = 'identity' | 'ingest' | 'directory' | 'mailbox' | 'messages' | 'tasks';

export interface HubHandlers {
  http: Record<HttpHandlerName, HttpLambda>;
  deliver: SqsLambda;
  deadLetter: SqsLambda;
  sweep: ScheduledLambda;
  deadlines: ScheduledLambda;
  traffic: StreamLambda;
}

/**
 * Every Lambda handler of one hub, built from it (the local hub runs these; each deployed Lambda builds only its own,
 * in functions/NAME/handler.ts, from the same factories).
 */
export function createHandlers(hub: Hub): HubHandlers {
  return {
    http: {
      identity: createIdentityHandler(hub) as HttpLambda,
      ingest: createIngestHandler(hub) as HttpLambda,
      directory: createDirectoryHandler(hub) as HttpLambda,
      mailbox: createMailboxHandler(hub) as HttpLambda,
      messages: createMessagesHandler(hub) as HttpLambda,
      tasks: createTasksHandler(hub) as HttpLambda,
    },
    deliver: createDeliverHandler(hub) as SqsLambda,
    deadLetter: createDeadLetterHandler(hub) as SqsLambda,
    sweep: createSweepHandler(hub) as ScheduledLambda,
    deadlines: createDeadlinesHandler(hub) as ScheduledLambda,
    traffic: createTrafficHandler(hub) as StreamLambda,
  };
}

/** The HTTP handler of a function named in the routes table. */
export function httpHandlerOf(handlers: HubHandlers, name: HandlerName): HttpLambda {
  const handler = handlers.http[name as HttpHandlerName];
  if (!handler) throw new Error(`${name} is not an HTTP function`);
  return handler;
}
