/** `npm run --silent token -- --org ODS`: prints a bearer access token of a sample client (see USAGE below). */
import { isRole, ROLES } from '../core/auth.js';
import { commandLine } from '../local/cli.js';
import { findLocalHub } from '../local/local-endpoints.js';
import { readSampleClients } from '../local/sample-clients.js';
import { clientOf, requestAccessToken } from '../local/token-client.js';

const USAGE = `npm run --silent token -- --org ODS [--role ${ROLES.join('|')}] [--hub URL] [--data-dir DIR]

Prints only an access token for the sample client of an organisation, obtained from the hub's real token endpoint
with a signed client assertion (OAuth 2.0 client credentials, private_key_jwt), so the API can be called with curl:

  curl -s http://localhost:8080/mailbox -H "Authorization: Bearer $(npm run --silent token -- --org Z9W101)"

  --org ODS        the organisation (a practice, a partner, or ops: Z9OPS1)
  --role ROLE      sender, receiver or ops (default: the organisation's usual one: sender for a practice,
                   receiver for a partner, ops for ops)
  --hub URL        the hub's address, as the client reaches it (default: the running local hub, found however
                   npm start was started); the assertion's audience is the token endpoint that the hub's
                   discovery document (URL/.well-known/openid-configuration) names
  --data-dir DIR   where that hub keeps its data and its sample clients' keys (default: the last hub started)
  -h, --help       this help`;

const { values } = commandLine(USAGE, {
  org: { type: 'string' },
  role: { type: 'string' },
  hub: { type: 'string' },
  'data-dir': { type: 'string' },
});
const fail = (message: string, code = 1): never => {
  console.error(message);
  process.exit(code);
};
if (!values.org) fail(`--org is required\n\n${USAGE}`, 2);
if (values.role !== undefined && !isRole(values.role)) fail(`--role must be one of ${ROLES.join(', ')}`, 2);
try {
  const local = await findLocalHub(values['data-dir']);
  const hub = (values.hub ?? local.baseUrl).replace(/\/$/, '');
  const client = clientOf(readSampleClients(local.dataDir), values.org!.toUpperCase(), values.role as never);
  const { accessToken } = await requestAccessToken(hub, client);
  console.log(accessToken);
} catch (error) {
  fail((error as Error).message);
}
