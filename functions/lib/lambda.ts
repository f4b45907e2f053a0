import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import { awsSecret } from './aws-hub.js';
import { onlyThroughTheEdge } from './edge-guard.js';
import { ENV } from './environment.js';
import { logger, metrics } from './observability.js';

/** Powertools on every Lambda: request context in the logs, metrics flushed after each invocation. */
export function withObservability<T extends middy.MiddyfiedHandler<any, any, any, any>>(handler: T): T {
  handler.use(injectLambdaContext(logger));
  handler.use(logMetrics(metrics));
  return handler;
}

/**
 * An API Lambda: Powertools, and, when deployed behind CloudFront (its origin secret named in the environment), the
 * refusal of any request that did not come through it.
 */
export function apiLambda<T extends middy.MiddyfiedHandler<any, any, any, any>>(
  handler: T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const originSecret = env[ENV.originSecret];
  if (originSecret) handler.use(onlyThroughTheEdge(awsSecret(originSecret)));
  return withObservability(handler);
}
