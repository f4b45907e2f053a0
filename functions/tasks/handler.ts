import { lambdaHub } from '../lib/aws-hub.js';
import { apiLambda } from '../lib/lambda.js';
import { createTasksHandler } from './tasks.js';

/** The Lambda entry: the hub built once per container; Powertools; only requests that came through CloudFront. */
export const handler = apiLambda(createTasksHandler(lambdaHub()));
