import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import { logger, metrics } from './observability.js';

/** Powertools on every Lambda: request context in the logs, metrics flushed after each invocation. */
export function withObservability<T extends middy.MiddyfiedHandler<any, any, any, any>>(handler: T): T {
  handler.use(injectLambdaContext(logger));
  handler.use(logMetrics(metrics));
  return handler;
}
