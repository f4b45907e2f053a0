import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { HubAdapters } from '../core/hub.js';
import { type MessageStatus, PENDING } from '../core/lifecycle/delivery-lifecycle.js';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from '../core/lifecycle/delivery-policy.js';
import type { HubLog, HubMetric } from '../core/ports.js';
import type { NetworkDefinition } from '../core/routing/network.js';
import { requeue } from '../core/services/sweep.js';
import { createHandlers, type HubHandlers } from '../functions/handlers.js';
import { type AwsHub, awsHub, type SdkClient } from '../functions/lib/aws-hub.js';
import { loadNetworks } from '../functions/lib/dynamo-directory.js';
import { DynamoIdentityStore } from '../functions/lib/dynamo-identity.js';
import { FUNCTIONS, SWEEP_INTERVAL_MINUTES } from '../functions/lib/lambdas.js';
import { givenSecret } from '../functions/lib/secrets.js';
import {
  DIRECTORY_TABLE,
  IDENTITY_TABLE,
  MESSAGE_BODIES_TABLE,
  MESSAGES_TABLE,
  OPERATIONS_TABLE,
} from '../functions/lib/storage.js';
import { LocalChangeStream } from './change-stream.js';
import { prepareDataDir, releaseDataDir } from './data-dir.js';
import { type EmbeddedServices, LOCAL_AWS, startEmbeddedServices } from './embedded.js';
import { type Mount, startHttpServer } from './http-server.js';
import { LOCAL_HUB_ODS, LOCAL_OPS_ODS } from './identities.js';
import {
  LOCAL_OIDC_CLIENT_ID,
  LOCAL_OIDC_PATH,
  LOCAL_OIDC_SCOPES,
  samplePeople,
  startIdentityProvider,
} from './identity-provider.js';
import { lambdaContext } from './lambda-events.js';
import { removeBodiesWithoutRecords, rewriteAfterKill } from './local-tables.js';
import { networkFiles, readNetworkDefinitions, receiverAddress, SAMPLE_NETWORKS_DIR } from './network-files.js';
import { LocalOutbox } from './outbox.js';
import {
  localProviderKey,
  localSearchKey,
  localTokenKey,
  registerSampleClients,
  type SampleClient,
  sampleClients,
} from './sample-clients.js';
import { seedSampleTasks } from './sample-tasks.js';
import { type SimulatedReceivers, startSimulatedReceivers } from './simulated-receivers.js';
import { type Poller, startPoller } from './sqs-poller.js';
import { TokenSource } from './token-client.js';
import { webAppMount } from './web-app.js';

/** Local delivery policy: seconds instead of minutes, so retries and failures can be watched. */
export const LOCAL_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 4, // a failure shows within about 15 s
  baseDelaySeconds: 2,
  maxDelaySeconds: 10,
  pushTimeoutMs: 5000,
};
/** Routing-table changes (npm run network -- load --local) are seen within this many seconds. */
const LOCAL_DIRECTORY_REFRESH_SECONDS = 2;
/** Seconds in one hour of a route's response time locally: a routine referral (120 h) is due after 4 minutes. */
export const LOCAL_SECONDS_PER_RESPONSE_HOUR = 2;
/** How often the local deadline sweep runs (every 5 minutes on AWS). */
export const LOCAL_DEADLINE_SWEEP_SECONDS = 10;

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
  /** Delivery policy changes (e.g. faster retries in tests). */
  policy?: Partial<DeliveryPolicy>;
  /** Replace adapters: a store, queue or transport that fails or stops on the Nth call. */
  adapters?: (adapters: HubAdapters) => HubAdapters;
  /** Log level of the hub's own log (default WARN). */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Seconds in one hour of the routes' response times (real hours unless given; npm start compresses them). */
  secondsPerResponseHour?: number;
  /** Seed a week of sample care-home Tasks into an empty hub (npm start does). */
  sampleTasks?: boolean;
  /** Requests each client may make per throttling window (the hub's default unless given). */
  requestsPerWindow?: number;
  /** How long the local Messages stream gathers changes (LOCAL_STREAM_BATCH_MS unless given; the bench: AWS's). */
  streamBatchMs?: number;
  /**
   * Runs once the hub is ready and before it answers any request (npm start records where it listens here, so a
   * client that reaches the hub always finds its record).
   */
  beforeServing?: (hub: LocalHub) => void | Promise<void>;
}

export { DataDirInUseError } from './data-dir.js';

export interface LocalHub {
  baseUrl: string;
  services: EmbeddedServices;
  receivers: SimulatedReceivers | undefined;
  /** The hub's services the handlers run on (store, queue, directory...), built by the composition root. */
  core: AwsHub;
  handlers: HubHandlers;
  /** The sample clients registered with this hub (their private keys: the local tools sign as them). */
  clients: SampleClient[];
  /** Access tokens of the sample clients, through the hub's real token endpoint. */
  tokens: TokenSource;
  /** Counts of each metric the hub recorded. */
  metrics: Map<HubMetric, number>;
  /** The emails the hub sent teams, caught here instead of sent (as SES would send them on AWS). */
  outbox: LocalOutbox;
  /** Every AWS SDK client of this hub: its adapters' and its queue pollers' (the benchmark counts their requests). */
  sdkClients: readonly SdkClient[];
  /** Runs one scheduled sweep now (as the timer does every SWEEP_INTERVAL_MINUTES). */
  sweep(): Promise<unknown>;
  /** Runs one deadline sweep now (as the timer does every LOCAL_DEADLINE_SWEEP_SECONDS). */
  deadlines(): Promise<unknown>;
  stop(): Promise<void>;
}

/** The token sources of the hubs running in this process, by base URL (how test helpers sign in to each). */
const runningHubs = new Map<string, TokenSource>();

export function tokensOfRunningHub(baseUrl: string): TokenSource | undefined {
  return runningHubs.get(baseUrl);
}

function localLog(level: LocalHubOptions['logLevel']): HubLog {
  const logger = new Logger({ serviceName: 'pcn-referral-hub', logLevel: level ?? 'WARN' });
  return {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}

/** The hub's identity: its base URL is known once the server listens, which it does only when every handler is ready. */
type LocalIdentity = { odsCode: string; name: string; baseUrl: string };

/** The statuses in which a message waits on someone: the hub (a delivery), a team (its inbox) or ops (a failure). */
const WAITING: readonly MessageStatus[] = [...PENDING, 'in-mailbox', 'failed'];

/**
 * After a kill: the messages changed since the killed hub started, and those waiting on someone, are written again,
 * their index entries with them; the bodies it wrote without their records are removed (their senders, never
 * answered, send them again).
 */
async function reindexAfterKill(services: EmbeddedServices, since: string) {
  const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint });
  const messages = services.tableNames[MESSAGES_TABLE.envVar]!;
  try {
    const rewritten = await rewriteAfterKill(dynamo, messages, since, WAITING);
    await removeBodiesWithoutRecords(dynamo, services.tableNames[MESSAGE_BODIES_TABLE.envVar]!, since, rewritten);
  } finally {
    dynamo.destroy();
  }
}

/** What the local hub adds to the adapters the composition root builds: receivers, the stream, logs, metrics, mail. */
interface LocalParts {
  receivers: SimulatedReceivers | undefined;
  stream: LocalChangeStream;
  metrics: Map<HubMetric, number>;
  outbox: LocalOutbox;
}

/** Step 1: the hub on the embedded emulators, built by the same composition root as the Lambdas'. */
async function buildHub(
  options: LocalHubOptions,
  services: EmbeddedServices,
  identity: LocalIdentity,
  parts: LocalParts,
): Promise<AwsHub> {
  const log = localLog(options.logLevel);
  return awsHub(
    {
      config: {
        hub: identity,
        policy: { ...DEFAULT_DELIVERY_POLICY, ...LOCAL_DELIVERY_POLICY, ...options.policy },
        opsOrganisations: [LOCAL_OPS_ODS],
        ...(options.secondsPerResponseHour ? { secondsPerResponseHour: options.secondsPerResponseHour } : {}),
        ...(options.requestsPerWindow ? { requestsPerWindow: options.requestsPerWindow } : {}),
      },
      messagesTable: services.tableNames[MESSAGES_TABLE.envVar]!,
      messageBodiesTable: services.tableNames[MESSAGE_BODIES_TABLE.envVar]!,
      directoryTable: services.tableNames[DIRECTORY_TABLE.envVar]!,
      identityTable: services.tableNames[IDENTITY_TABLE.envVar]!,
      operationsTable: services.tableNames[OPERATIONS_TABLE.envVar]!,
      tokenKey: { privateJwk: await localTokenKey(options.dataDir) },
      // People sign in at the identity provider this hub runs on its own port (below).
      oidc: {
        get issuer() {
          return `${identity.baseUrl}${LOCAL_OIDC_PATH}`;
        },
        clientId: LOCAL_OIDC_CLIENT_ID,
        scopes: LOCAL_OIDC_SCOPES,
      },
      deliveryQueueUrl: services.deliveryQueueUrl,
      directoryRefreshSeconds: LOCAL_DIRECTORY_REFRESH_SECONDS,
      // Cursors live only as long as this process: a fresh key each start.
      cursorKey: givenSecret(randomBytes(32).toString('base64url')),
      searchKey: givenSecret(localSearchKey(options.dataDir)),
      client: { ...LOCAL_AWS, dynamoEndpoint: services.dynamoEndpoint, sqsEndpoint: services.sqsEndpoint },
    },
    (adapters) => {
      const { receivers, stream, metrics, outbox } = parts;
      const local: HubAdapters = {
        ...adapters,
        transport: receivers
          ? {
              push: (request) =>
                adapters.transport.push({ ...request, address: receiverAddress(request.address, receivers.origin) }),
            }
          : adapters.transport,
        store: stream.observe(adapters.store),
        log,
        metric: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value),
        mailer: outbox,
      };
      return options.adapters ? options.adapters(local) : local;
    },
  );
}

/** Step 2: the HTTP server (API, web app, emails caught) and, on it, the local identity provider people sign in at. */
async function serve(
  options: LocalHubOptions,
  handlers: HubHandlers,
  outbox: LocalOutbox,
  clients: SampleClient[],
  definitions: NetworkDefinition[],
  ready: Promise<void>,
) {
  const mounts: Mount[] = [webAppMount(), outbox.mount()];
  const server: Server = await startHttpServer(handlers, options.port, mounts, ready);
  const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const names = new Map(
    definitions.flatMap((n) => [...n.practices, ...n.organisations]).map((o) => [o.odsCode, o.name]),
  );
  names.set(LOCAL_OPS_ODS, 'Hub operations');
  mounts.push({
    prefix: LOCAL_OIDC_PATH,
    handle: startIdentityProvider({
      issuer: `${baseUrl}${LOCAL_OIDC_PATH}`,
      redirectUri: `${baseUrl}/auth/callback`,
      postLogoutRedirectUri: `${baseUrl}/app/`,
      people: samplePeople(clients, names),
      signingKey: await localProviderKey(options.dataDir),
    }),
  });
  return { server, baseUrl };
}

/** Step 3: what AWS runs beside the API: the queue pollers (the event source mappings) and the scheduled sweeps. */
function startWorkers(services: EmbeddedServices, handlers: HubHandlers) {
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: services.sqsEndpoint, useQueueUrlAsEndpoint: false });
  const report = (name: string) => (error: Error) => console.error(`local ${name} poller: ${error.message}`);
  const poll = (queueUrl: string, name: 'deliver' | 'deadLetter', what: string) =>
    startPoller(sqs, queueUrl, handlers[name], name, FUNCTIONS[name].timeoutSeconds, report(what));
  const pollers: Poller[] = [
    poll(services.deliveryQueueUrl, 'deliver', 'delivery'),
    poll(services.deadLetterQueueUrl, 'deadLetter', 'dead-letter'),
  ];
  const sweep = () => handlers.sweep({}, lambdaContext('sweep', FUNCTIONS.sweep.timeoutSeconds));
  const deadlines = () => handlers.deadlines({}, lambdaContext('deadlines', FUNCTIONS.deadlines.timeoutSeconds));
  const every = (run: () => Promise<unknown>, what: string, ms: number) => {
    const timer = setInterval(() => {
      void run().catch((error: Error) => console.error(`local ${what}: ${error.message}`));
    }, ms);
    timer.unref();
    return timer;
  };
  const timers = [
    every(sweep, 'sweep', SWEEP_INTERVAL_MINUTES * 60_000),
    every(deadlines, 'deadline sweep', LOCAL_DEADLINE_SWEEP_SECONDS * 1000),
  ];
  return {
    sqs,
    sweep,
    deadlines,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(pollers.map((p) => p.stop()));
      sqs.destroy();
    },
  };
}

/**
 * The whole hub in this process, on its embedded default: dynalite and fauxqs, the sample networks, the same Lambda
 * handlers (built by the same composition root) behind a local API Gateway stand-in and SQS pollers, and
 * simulated receivers. Several hubs may run in one process: nothing is configured through the environment.
 */
export async function startLocalHub(options: LocalHubOptions): Promise<LocalHub> {
  const { killedSince } = prepareDataDir(options.dataDir, options.fresh);
  const services = await startEmbeddedServices(options.dataDir ? { dataDir: options.dataDir } : {});
  if (killedSince) await reindexAfterKill(services, killedSince);
  const identity: LocalIdentity = { odsCode: LOCAL_HUB_ODS, name: 'PCN Referral Hub (local)', baseUrl: '' };
  const definitions = options.networks ?? readNetworkDefinitions(networkFiles([SAMPLE_NETWORKS_DIR]));
  const clients = await sampleClients(options.dataDir, definitions, [LOCAL_OPS_ODS]);
  const tokens = new TokenSource(() => identity.baseUrl, clients);
  const parts: LocalParts = {
    receivers:
      options.receiversPort === false
        ? undefined
        : await startSimulatedReceivers({
            port: options.receiversPort ?? 0,
            hubBaseUrl: () => identity.baseUrl,
            tokens,
          }),
    stream: new LocalChangeStream(
      (error) => console.error(`local traffic stream: ${error.message}`),
      options.streamBatchMs,
    ),
    metrics: new Map(),
    outbox: new LocalOutbox(),
  };
  const hub = await buildHub(options, services, identity, parts);
  await loadNetworks(hub.documentClient, hub.settings.directoryTable, definitions);
  await registerSampleClients(new DynamoIdentityStore(hub.documentClient, hub.settings.identityTable), clients);
  const handlers = createHandlers(hub);
  parts.stream.attach((event) => handlers.traffic(event, lambdaContext('traffic', FUNCTIONS.traffic.timeoutSeconds)));
  // The local queue is in memory: whatever the hub still owed a delivery when it stopped is enqueued again
  // (before the workers start, so every claim left from the last run is released first).
  await requeue(hub, await hub.store.listAllInStatuses(PENDING));
  const serving = Promise.withResolvers<void>();
  const { server, baseUrl } = await serve(options, handlers, parts.outbox, clients, definitions, serving.promise);
  identity.baseUrl = baseUrl;
  runningHubs.set(baseUrl, tokens);
  const workers = startWorkers(services, handlers);
  if (options.sampleTasks) await seedSampleTasks(hub, options.dataDir);

  const local: LocalHub = {
    baseUrl,
    services,
    receivers: parts.receivers,
    core: hub,
    handlers,
    clients,
    tokens,
    metrics: parts.metrics,
    outbox: parts.outbox,
    sdkClients: [...hub.sdkClients, workers.sqs],
    sweep: workers.sweep,
    deadlines: workers.deadlines,
    async stop() {
      runningHubs.delete(baseUrl);
      await workers.stop();
      await parts.stream.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await parts.receivers?.stop();
      hub.close();
      await services.stop();
      if (options.dataDir) releaseDataDir(options.dataDir);
    },
  };
  try {
    await options.beforeServing?.(local);
  } catch (error) {
    await local.stop();
    throw error;
  }
  serving.resolve();
  return local;
}

export { LOCAL_HUB_ODS, LOCAL_OPS_ODS } from './identities.js';
