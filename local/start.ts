/** `npm start`: the PCN Referral Hub on this machine, on its embedded default (dynalite + fauxqs, in-process). */
import { resolve } from 'node:path';
import type { NetworkDefinition } from '../core/routing/network.js';
import { deliveryPolicyFromEnvironment } from '../functions/lib/aws-hub.js';
import { DIRECTORY_TABLE, IDENTITY_TABLE } from '../functions/lib/storage.js';
import { commandLine } from './cli.js';
import {
  DataDirInUseError,
  LOCAL_DEADLINE_SWEEP_SECONDS,
  LOCAL_DELIVERY_POLICY,
  LOCAL_OPS_ODS,
  LOCAL_SECONDS_PER_RESPONSE_HOUR,
  type LocalHubOptions,
  startLocalHub,
} from './hub.js';
import { writeLocalEndpoints } from './local-endpoints.js';
import { InvalidNetworkError, networkFiles, readNetworkDefinitions } from './network-files.js';
import { buildWebApp } from './web-app.js';

const USAGE = `npm start [-- OPTIONS]: the PCN Referral Hub on this machine (dynalite and fauxqs in-process)

Options:
  --fresh            start from a clean state (deletes the data folder first)
  --data-dir DIR     where the hub keeps its DynamoDB state (default .local-data/)
  --networks PATH    network definition files or folders to load instead of the samples (validated first);
                     may be given more than once
  -h, --help         this help

Environment:
  PORT=8080            HTTP port of the hub
  RECEIVERS_PORT=4010  port of the simulated receivers
  POWERTOOLS_LOG_LEVEL=WARN      the hub's log level (DEBUG, INFO, WARN, ERROR)
  DELIVERY_MAX_ATTEMPTS=4, DELIVERY_BASE_DELAY_SECONDS=2, DELIVERY_MAX_DELAY_SECONDS=10, PUSH_TIMEOUT_MS=5000
                       the local delivery policy

The network CLI (npm run network) and send-sample find the running hub by themselves.`;

const { values } = commandLine(USAGE, {
  fresh: { type: 'boolean', default: false },
  'data-dir': { type: 'string', default: '.local-data' },
  networks: { type: 'string', multiple: true },
});
const port = Number(process.env.PORT ?? 8080);
const receiversPort = Number(process.env.RECEIVERS_PORT ?? 4010);
const dataDir = resolve(values['data-dir']!);

let networks: NetworkDefinition[] | undefined;
try {
  networks = values.networks ? readNetworkDefinitions(networkFiles(values.networks)) : undefined;
} catch (error) {
  console.error(
    error instanceof InvalidNetworkError ? `Invalid network definition:\n${error.message}` : (error as Error).message,
  );
  process.exit(1);
}
if (await buildWebApp()) console.log('Built the web app (web/dist).');
const hub = await startLocalHub({
  sampleTasks: !values.networks,
  secondsPerResponseHour: LOCAL_SECONDS_PER_RESPONSE_HOUR,
  policy: deliveryPolicyFromEnvironment(process.env, LOCAL_DELIVERY_POLICY),
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL?.toUpperCase() as LocalHubOptions['logLevel']) ?? 'WARN',
  port,
  dataDir,
  fresh: values.fresh,
  receiversPort,
  ...(networks ? { networks } : {}),
  // Recorded before the hub answers anything: a client that reaches it finds this record, not the previous one.
  beforeServing: (started) =>
    writeLocalEndpoints({
      dataDir,
      dynamoEndpoint: started.services.dynamoEndpoint,
      directoryTable: started.services.tableNames[DIRECTORY_TABLE.envVar]!,
      identityTable: started.services.tableNames[IDENTITY_TABLE.envVar]!,
      baseUrl: started.baseUrl,
      opsOrganisations: [LOCAL_OPS_ODS],
    }),
}).catch((error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `Port ${(error as { port?: number }).port} is in use: set PORT (or RECEIVERS_PORT) to a free port.`
      : error instanceof DataDirInUseError
        ? error.message
        : error.stack,
  );
  process.exit(1);
});
console.log(`PCN Referral Hub running locally
  FHIR base:      ${hub.baseUrl}            (GET ${hub.baseUrl}/metadata)
  DynamoDB:       dynalite at ${hub.services.dynamoEndpoint}, data in ${dataDir}${values.fresh ? ' (fresh)' : ''}
  SQS:            fauxqs at ${hub.services.sqsEndpoint}
  Receivers:      simulated at ${hub.receivers?.origin} (community nursing answers; mental health is flaky; wellbeing line is down)
  Networks:       ${networks ? networks.map((n) => n.name).join(', ') : 'Watling Street PCN, Leamington PCN, Harrow Central PCN (sample ODS codes Z9...)'}

Send a first referral (Hilltops Medical Centre -> social prescribing):
  npm run send-sample -- ${hub.baseUrl}
Call the API as any sample organisation with a token (ops: --org ${LOCAL_OPS_ODS}); see README.md:
  curl -s ${hub.baseUrl}/messages -H "Authorization: Bearer $(npm run --silent token -- --org ${LOCAL_OPS_ODS})"
The web app:     ${hub.baseUrl}/app/  (ops staff and receiving teams)
People sign in at ${hub.baseUrl}/auth/login (sample people: z9w101-receiver, ${LOCAL_OPS_ODS.toLowerCase()}-ops..., any password).${
  networks
    ? ''
    : `
A week of sample care-home Tasks is loaded; the deadline sweep (every ${LOCAL_DEADLINE_SWEEP_SECONDS} s; one response hour lasts ${LOCAL_SECONDS_PER_RESPONSE_HOUR} s here)
escalates the overdue ones within a minute: GET ${hub.baseUrl}/Task?overdue=true as ops.`
}
Ctrl-C stops the hub.`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the hub...`);
  await hub.stop();
  console.log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
