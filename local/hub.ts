import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PENDING } from '../core/lifecycle/message-record.js';
import type { NetworkDefinition } from '../core/routing/network.js';
import { requeue } from '../core/services/sweep.js';
import { loadNetworks } from '../functions/lib/dynamo-directory.js';
import type { DynamoMessageStore } from '../functions/lib/dynamo-message-store.js';
import {
  DEAD_LETTER_ENV,
  DELIVERY_QUEUE,
  DIRECTORY_TABLE,
  ENV,
  FUNCTIONS,
  type HandlerName,
  SWEEP_INTERVAL_MINUTES,
} from '../functions/lib/resources.js';
import { type EmbeddedServices, LOCAL_AWS, startEmbeddedServices } from './embedded.js';
import { type HttpLambda, startHttpServer } from './http-server.js';
import { LOCAL_HUB_ODS, LOCAL_OPS_ODS } from './identities.js';
import { lambdaContext } from './lambda-events.js';
import { networkFiles, readNetworkDefinitions, SAMPLE_NETWORKS_DIR, withReceiversAt } from './network-files.js';
import { type SimulatedReceivers, startSimulatedReceivers } from './simulated-receivers.js';
import { type Poller, type SqsLambda, startPoller } from './sqs-poller.js';

export { LOCAL_HUB_ODS, LOCAL_OPS_ODS } from './identities.js';

/** Local delivery policy: seconds instead of minutes, so retries and failures can be watched. Env vars override. */
const LOCAL_POLICY_ENV: Record<string, string> = {
  [ENV.deliveryBaseDelaySeconds]: '2',
  [ENV.deliveryMaxDelaySeconds]: '10',
  [ENV.deliveryMaxAttempts]: '4',
  [ENV.pushTimeoutMs]: '5000',
  [ENV.directoryRefreshSeconds]: '2',
};

export interface LocalHubOptions {
  /** 0 picks a free port. */
  port: number;
  /** Keep DynamoDB state here across restarts; in memory when absent. */
  dataDir?: string;
  /** Start from a clean state (deletes dataDir first). */
  fresh?: boolean;
  /** Network definitions to load (validated); the sample networks by default. */
  networks?: NetworkDefinition[];
  /** Port of the simulated receivers (0: any free port); false: none. */
  receiversPort?: number | false;
  /** Extra environment for the handlers (e.g. a faster delivery policy in tests). */
  env?: Record<string, string>;
}

export interface LocalHub {
  baseUrl: string;
  services: EmbeddedServices;
  receivers: SimulatedReceivers | undefined;
  stop(): Promise<void>;
}

/**
 * The whole hub in this process, on its embedded default: dynalite and fauxqs, the sample networks, the same Lambda
 * handlers behind a local API Gateway stand-in and SQS pollers, and simulated receivers. One hub per process:
 * the handlers read their configuration once, at import, as Lambdas do at cold start.
 */
export async function startLocalHub(options: LocalHubOptions): Promise<LocalHub> {
  if (options.fresh && options.dataDir) rmSync(options.dataDir, { recursive: true, force: true });
  const services = await startEmbeddedServices(options.dataDir ? { dataDir: options.dataDir } : {});
  const httpHandlers = {} as Record<HandlerName, HttpLambda | undefined>;
  const server: Server = await startHttpServer(httpHandlers, options.port);
  const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const receivers =
    options.receiversPort === false
      ? undefined
      : await startSimulatedReceivers({ port: options.receiversPort ?? 0, hubBaseUrl: () => baseUrl });

  Object.assign(process.env, {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: services.sqsEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    ...services.tableNames,
    [DELIVERY_QUEUE.envVar]: services.deliveryQueueUrl,
    [DEAD_LETTER_ENV]: services.deadLetterQueueUrl,
    [ENV.hubBaseUrl]: baseUrl,
    [ENV.hubOdsCode]: LOCAL_HUB_ODS,
    [ENV.opsOrganisations]: LOCAL_OPS_ODS,
    ...Object.fromEntries(Object.entries(LOCAL_POLICY_ENV).filter(([k]) => process.env[k] === undefined)),
    ...options.env,
  });

  const definitions = options.networks ?? readNetworkDefinitions(networkFiles([SAMPLE_NETWORKS_DIR]));
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint }));
  await loadNetworks(
    db,
    services.tableNames[DIRECTORY_TABLE.envVar]!,
    receivers ? withReceiversAt(definitions, receivers.origin) : definitions,
  );
  db.destroy();

  const [ingest, directory, mailbox, messages, deliver, deadLetter, sweep, hub] = await Promise.all([
    import('../functions/ingest/handler.js'),
    import('../functions/directory/handler.js'),
    import('../functions/mailbox/handler.js'),
    import('../functions/messages/handler.js'),
    import('../functions/deliver/handler.js'),
    import('../functions/dead-letter/handler.js'),
    import('../functions/sweep/handler.js'),
    import('../functions/lib/hub.js'),
  ]);
  Object.assign(httpHandlers, {
    ingest: ingest.handler,
    directory: directory.handler,
    mailbox: mailbox.handler,
    messages: messages.handler,
  });

  const { deps } = hub.hubFromEnvironment();
  // The local queue is in memory: whatever the hub still owed a delivery when it stopped is enqueued again
  // (before the workers start, so every claim left from the last run is released first).
  await requeue(deps, await (deps.store as DynamoMessageStore).scanByStatus(PENDING));
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: services.sqsEndpoint, useQueueUrlAsEndpoint: false });
  const report = (name: string) => (error: Error) => console.error(`local ${name} poller: ${error.message}`);
  const pollers: Poller[] = [
    startPoller(
      sqs,
      services.deliveryQueueUrl,
      deliver.handler as unknown as SqsLambda,
      'deliver',
      FUNCTIONS.deliver.timeoutSeconds,
      report('delivery'),
    ),
    startPoller(
      sqs,
      services.deadLetterQueueUrl,
      deadLetter.handler as unknown as SqsLambda,
      'deadLetter',
      FUNCTIONS.deadLetter.timeoutSeconds,
      report('dead-letter'),
    ),
  ];
  const sweepTimer = setInterval(() => {
    void (sweep.handler as unknown as (e: unknown, c: unknown) => Promise<unknown>)(
      {},
      lambdaContext('sweep', FUNCTIONS.sweep.timeoutSeconds),
    ).catch((error: Error) => console.error(`local sweep: ${error.message}`));
  }, SWEEP_INTERVAL_MINUTES * 60_000);
  sweepTimer.unref();

  return {
    baseUrl,
    services,
    receivers,
    async stop() {
      clearInterval(sweepTimer);
      await Promise.all(pollers.map((p) => p.stop()));
      sqs.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await receivers?.stop();
      await services.stop();
    },
  };
}
