/** `npm run network -- COMMAND`: validate, diff, load and explain the routing tables (see USAGE below). */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ServiceRequest, Task } from 'fhir/r4';
import { HubError } from '../core/errors.js';
import { identifierValue, senderOrganization } from '../core/fhir/bundle.js';
import { SYSTEMS } from '../core/fhir/systems.js';
import type { NetworkDefinition } from '../core/routing/network.js';
import { compileNetwork, resolveRoute } from '../core/routing/resolve.js';
import { HUB_CATEGORIES, routingContext } from '../core/routing/routing-context.js';
import { validateMessage } from '../core/validation/validate-message.js';
import { diffNetworks, loadNetworks } from '../functions/lib/dynamo-directory.js';
import { commandLine } from '../local/cli.js';
import { LOCAL_AWS } from '../local/embedded.js';
import { findLocalHub } from '../local/local-endpoints.js';
import {
  InvalidNetworkError,
  networkFiles,
  readNetworkDefinitions,
  SAMPLE_NETWORKS_DIR,
} from '../local/network-files.js';

const TARGET_HELP = `Where (diff and load):
  --local            the running local hub (npm start), found however it was started
  --data-dir DIR     with --local: the hub whose data is in DIR, when several have run
  --table NAME       a deployed directory table (AWS credentials and region from the environment, as the AWS CLI)`;

const HELP: Record<string, string> = {
  validate: `npm run network -- validate [PATHS...]
  Checks network definition files (default: networks/) against the JSON Schema and the hub's cross-reference
  checks, and prints every problem with its JSON path. Exit code 1 when any file is invalid.`,
  diff: `npm run network -- diff [PATHS...] (--local | --table NAME)
  What loading the definitions would change, network by network: added, unchanged, or changed with each practice,
  organisation, endpoint, service, care home and route added, removed or changed.

${TARGET_HELP}`,
  load: `npm run network -- load [PATHS...] (--local | --table NAME)
  Validates the definitions, then writes them to the directory table; running hubs see the change within their
  refresh interval (2 s locally, 30 s on AWS). Unchanged networks are skipped.

${TARGET_HELP}`,
  explain: `npm run network -- explain MESSAGE_FILE [PATHS...] [--target SYSTEM|VALUE]
  Why a referral (a FHIR message Bundle file) goes where it goes under the definitions: every rule considered,
  in order. --target names a service as a practice would in NHSD-Target-Identifier.`,
};

const USAGE = `npm run network -- COMMAND [PATHS...] [OPTIONS]: the routing tables' command line

Commands:
  validate   check definition files (default: networks/)
  diff       what loading would change, and what exactly changed
  load       validate, then write to the directory table
  explain    why a referral goes where it goes

PATHS are definition files or folders (default: networks/).
Run npm run network -- COMMAND --help for a command's options.

${TARGET_HELP}`;

const { values, positionals } = commandLine(
  ([command]) => (command && HELP[command]) || USAGE,
  {
    local: { type: 'boolean', default: false },
    table: { type: 'string' },
    target: { type: 'string' },
    'data-dir': { type: 'string' },
  },
  true,
);
const [command, ...rest] = positionals;

function definitions(paths: string[]): NetworkDefinition[] {
  return readNetworkDefinitions(networkFiles(paths.length ? paths : [SAMPLE_NETWORKS_DIR]));
}

interface Target {
  db: DynamoDBDocumentClient;
  table: string;
  where: string;
}

async function target(): Promise<Target> {
  if (values.local) {
    const local = await findLocalHub(values['data-dir']);
    return {
      db: DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: local.dynamoEndpoint })),
      table: local.directoryTable,
      where: `the local hub (${local.dynamoEndpoint})`,
    };
  }
  if (values.table)
    return {
      db: DynamoDBDocumentClient.from(new DynamoDBClient({})),
      table: values.table,
      where: `table ${values.table}`,
    };
  throw new Error('Say where: --local (the running npm start hub) or --table NAME (a deployed directory table)');
}

async function main(): Promise<void> {
  switch (command) {
    case 'validate': {
      const files = networkFiles(rest.length ? rest : [SAMPLE_NETWORKS_DIR]);
      const loaded = readNetworkDefinitions(files);
      for (const [i, d] of loaded.entries())
        console.log(
          `ok  ${files[i]}: ${d.name}: ${d.practices.length} practices, ${d.services.length} services, ${d.routes.length} routes, ${d.careHomes?.length ?? 0} care homes`,
        );
      return;
    }
    case 'diff': {
      const { db, table, where } = await target();
      const changes = await diffNetworks(db, table, definitions(rest));
      console.log(`Against ${where}:`);
      for (const c of changes) {
        console.log(`  ${c.change.padEnd(9)} ${c.networkId}`);
        for (const line of c.details ?? []) console.log(`              ${line}`);
      }
      return;
    }
    case 'load': {
      const { db, table, where } = await target();
      const loaded = definitions(rest);
      const started = Date.now();
      const changes = await loadNetworks(db, table, loaded, (done, total) => {
        if (total > 500 || done === total) process.stdout.write(`\r  writing ${done}/${total} items`);
      });
      process.stdout.write('\n');
      const changed = changes.filter((c) => c.change !== 'unchanged');
      console.log(
        `Loaded into ${where}: ${changed.length} of ${changes.length} networks added or changed, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      return;
    }
    case 'explain': {
      const [messageFile, ...paths] = rest;
      if (!messageFile) throw new Error('explain needs a message Bundle file');
      const message = validateMessage(JSON.parse(readFileSync(messageFile, 'utf8')));
      const senderOds = identifierValue(
        senderOrganization(message.bundle, message.header)?.identifier,
        SYSTEMS.odsOrganisation,
      );
      const network = definitions(paths).find((d) => d.practices.some((p) => p.odsCode === senderOds));
      if (!network) throw new Error(`Practice ${senderOds} is not a member of any network in these files`);
      const context = routingContext(
        message.bundle,
        message.focus as ServiceRequest | Task,
        senderOds!,
        HUB_CATEGORIES,
        new Date(),
      );
      if (values.target) {
        const [system = '', value = ''] = values.target.split('|');
        context.explicitTarget = { system, value };
      }
      console.log(`Sender ${senderOds} is in ${network.name}. Asked for '${context.category}'.`);
      console.log(
        `Patient context: ${JSON.stringify({ registeredPractice: context.registeredPractice, careHome: context.careHome, postcodeDistrict: context.postcodeDistrict, ageYears: context.ageYears, urgency: context.urgency ?? 'routine' })}`,
      );
      try {
        const decision = resolveRoute(compileNetwork(network), context);
        for (const line of decision.explanation) console.log(`  - ${line}`);
        console.log(
          `=> ${decision.service.name} (${decision.provider.name}, ${decision.provider.odsCode}) by ${decision.endpoint.channel}${decision.endpoint.address ? ` at ${decision.endpoint.address}` : ''}`,
        );
      } catch (error) {
        if (!(error instanceof HubError)) throw error;
        console.log(`=> refused (${error.status}): ${error.issues.map((i) => i.diagnostics).join('; ')}`);
      }
      return;
    }
    default:
      if (command) console.error(`Unknown command '${command}'.\n`);
      console.log(USAGE);
      process.exitCode = command ? 2 : 0;
  }
}

main().catch((error: Error) => {
  if (error instanceof InvalidNetworkError)
    console.error(`Invalid network definition (nothing was loaded):\n${error.message}`);
  else if (error instanceof HubError)
    console.error(
      `The message is not valid: ${error.issues.map((i) => `${i.expression ?? ''} ${i.diagnostics}`).join('; ')}`,
    );
  else console.error(error.message);
  process.exit(1);
});
