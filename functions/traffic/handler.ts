import { lambdaHub } from '../lib/aws-hub.js';
import { withObservability } from '../lib/lambda.js';
import { createTrafficHandler } from './traffic.js';

/** The Lambda entry: the hub built once per container, with Powertools' logging context and metrics. */
export const handler = withObservability(createTrafficHandler(lambdaHub()));
