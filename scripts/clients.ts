/** `npm run clients -- COMMAND`: register and disable the systems that may call the hub (see USAGE below). */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JSONWebKeySet } from 'jose';
import { isRole, ROLES, type Role } from '../core/auth.js';
import { roleRefusal } from '../core/identity/identity-ports.js';
import { DynamoIdentityStore } from '../functions/lib/dynamo-identity.js';
import { ENV } from '../functions/lib/environment.js';
import { commandLine } from '../local/cli.js';
import { LOCAL_AWS } from '../local/embedded.js';
import { findLocalHub } from '../local/local-endpoints.js';

const USAGE = `npm run clients -- COMMAND --client-id ID (--local | --table NAME) [OPTIONS]

Registers the systems that may call the hub (OAuth 2.0 clients that sign their token requests with their own key).

  register   --org ODS --role ROLE [--role ROLE...] --jwks FILE [--requests-per-window N]
             adds or replaces a client: its organisation, roles (${ROLES.join(', ')}; ops only for an ops
             organisation) and PUBLIC keys (a JWKS file; a private key is refused). To rotate a key, register the
             JWKS with both keys, let the client sign with the new one, then register it without the old.
  disable    the client gets no new token; the one it holds lapses within 10 minutes.

  --local          the running local hub (npm start)
  --data-dir DIR   with --local: the hub whose data is in DIR
  --table NAME     a deployed Identity table (the IdentityTableName output; AWS credentials from the environment)
  --ops-organisations ODS,ODS
                   with --table: the deployed hub's ops organisations (its opsOrganisations context; default
                   HUB_OPS_ORGANISATIONS from the environment), so an ops role is refused where it cannot hold
  -h, --help       this help`;

const { values, positionals } = commandLine(
  USAGE,
  {
    'client-id': { type: 'string' },
    org: { type: 'string' },
    role: { type: 'string', multiple: true },
    jwks: { type: 'string' },
    'requests-per-window': { type: 'string' },
    local: { type: 'boolean', default: false },
    table: { type: 'string' },
    'data-dir': { type: 'string' },
    'ops-organisations': { type: 'string' },
  },
  true,
);

const fail = (message: string): never => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
};

/** The identity table to write, and the organisations whose clients may hold the ops role there. */
async function target(): Promise<{ registry: DynamoIdentityStore; opsOrganisations: ReadonlySet<string> }> {
  if (values.local) {
    const local = await findLocalHub(values['data-dir']);
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: local.dynamoEndpoint }));
    return {
      registry: new DynamoIdentityStore(db, local.identityTable),
      opsOrganisations: new Set(local.opsOrganisations),
    };
  }
  if (values.table) {
    const ops = values['ops-organisations'] ?? process.env[ENV.opsOrganisations] ?? '';
    return {
      registry: new DynamoIdentityStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), values.table),
      opsOrganisations: new Set(
        ops
          .split(',')
          .map((o) => o.trim().toUpperCase())
          .filter(Boolean),
      ),
    };
  }
  return fail('Say where: --local or --table NAME');
}

/** The public keys of a JWKS file: each must be a public key (no private members) with a kid. */
function publicKeys(file: string): JSONWebKeySet {
  const jwks = JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet;
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) fail(`${file} is not a JWKS with keys`);
  for (const key of jwks.keys) {
    if ('d' in key) fail(`${file} holds a private key: register only the public half`);
    if (!key.kid) fail(`Each key in ${file} needs a kid (the client names it in its assertions)`);
  }
  return jwks;
}

const [command] = positionals;
const clientId = values['client-id'] ?? fail('--client-id is required');
const { registry, opsOrganisations } = await target();
if (command === 'register') {
  const roles = (values.role ?? []) as string[];
  if (!values.org) fail('--org is required');
  if (roles.length === 0 || !roles.every(isRole)) fail(`--role must be one or more of ${ROLES.join(', ')}`);
  const refusals = (roles as Role[]).flatMap(
    (role) => roleRefusal(values.org!.toUpperCase(), role, opsOrganisations) ?? [],
  );
  if (refusals.length) fail(refusals.join('\n'));
  const limit = values['requests-per-window'] ? Number(values['requests-per-window']) : undefined;
  await registry.register({
    clientId,
    organisation: values.org!.toUpperCase(),
    roles: roles as Role[],
    keys: publicKeys(values.jwks ?? fail('--jwks is required')),
    ...(limit ? { requestsPerWindow: limit } : {}),
  });
  console.log(`Registered ${clientId} for ${values.org} as ${roles.join(', ')}`);
} else if (command === 'disable') {
  const client = (await registry.client(clientId)) ?? fail(`No client ${clientId}`);
  await registry.register({ ...client, disabled: true });
  console.log(`Disabled ${clientId}: no new tokens; its last one lapses within 10 minutes`);
} else fail(command ? `Unknown command ${command}` : 'Say what to do: register or disable');
process.exit(0);
