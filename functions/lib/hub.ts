import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from '../../core/lifecycle/delivery-policy.js';
import { systemClock } from '../../core/ports.js';
import { HUB_CATEGORIES } from '../../core/routing/routing-context.js';
import type { HubDependencies } from '../../core/services/dependencies.js';
import { DIRECTORY_REFRESH_SECONDS, DynamoDirectory } from './dynamo-directory.js';
import { DynamoMessageStore } from './dynamo-message-store.js';
import { FhirKitTransport } from './fhir-transport.js';
import { hubLog, recordMetric } from './observability.js';
import { DEAD_LETTER_ENV, DELIVERY_QUEUE, DIRECTORY_TABLE, ENV, MESSAGES_TABLE } from './resources.js';
import { SqsDeliveryQueue } from './sqs-delivery-queue.js';

/** Reads a required setting; a missing one is a deployment fault, reported at cold start. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

function numberSetting(name: string, fallback: number): number {
  const value = process.env[name];
  return value ? Number(value) : fallback;
}

export function deliveryPolicyFromEnv(): DeliveryPolicy {
  return {
    maxAttempts: numberSetting(ENV.deliveryMaxAttempts, DEFAULT_DELIVERY_POLICY.maxAttempts),
    baseDelaySeconds: numberSetting(ENV.deliveryBaseDelaySeconds, DEFAULT_DELIVERY_POLICY.baseDelaySeconds),
    maxDelaySeconds: numberSetting(ENV.deliveryMaxDelaySeconds, DEFAULT_DELIVERY_POLICY.maxDelaySeconds),
    pushTimeoutMs: numberSetting(ENV.pushTimeoutMs, DEFAULT_DELIVERY_POLICY.pushTimeoutMs),
  };
}

export interface HubRuntime {
  deps: HubDependencies;
  queue: SqsDeliveryQueue;
  deadLetterQueueUrl: string | undefined;
  opsOrganisations: ReadonlySet<string>;
}

/**
 * Builds the hub's adapters from the environment. Handlers call it once at module scope, so clients and caches live
 * as long as the Lambda container. AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS point the SDK at dynalite and
 * fauxqs locally (the SDK reads them itself).
 */
export function hubFromEnvironment(): HubRuntime {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  // Queue URLs from the local emulator name a host that does not resolve: always use the configured endpoint.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const queue = new SqsDeliveryQueue(sqs, required(DELIVERY_QUEUE.envVar));
  const deps: HubDependencies = {
    store: new DynamoMessageStore(dynamo, required(MESSAGES_TABLE.envVar)),
    queue,
    directory: new DynamoDirectory(
      dynamo,
      required(DIRECTORY_TABLE.envVar),
      numberSetting(ENV.directoryRefreshSeconds, DIRECTORY_REFRESH_SECONDS),
    ),
    transport: new FhirKitTransport(),
    clock: systemClock,
    categories: HUB_CATEGORIES,
    policy: deliveryPolicyFromEnv(),
    hub: { odsCode: required(ENV.hubOdsCode), name: 'PCN Referral Hub', baseUrl: required(ENV.hubBaseUrl) },
    log: hubLog,
    metric: recordMetric,
  };
  const opsOrganisations = new Set(
    (process.env[ENV.opsOrganisations] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return { deps, queue, deadLetterQueueUrl: process.env[DEAD_LETTER_ENV], opsOrganisations };
}
