import { lambdaHub } from '../lib/aws-hub.js';
import { apiLambda } from '../lib/lambda.js';
import { createIngestHandler } from './ingest.js';

/** The Lambda entry: the hub built once per container; Powertools; only requests that came through CloudFront. */
export const handler = apiLambda(createIngestHandler(lambdaHub()));
