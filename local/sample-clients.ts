import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Role } from '../core/auth.js';
import type { ClientRegistry } from '../core/identity/identity-ports.js';
import { HUB_TOKEN_ALGORITHM } from '../core/identity/tokens.js';
import type { NetworkDefinition } from '../core/routing/network.js';

/**
 * The local hub's identities: its token signing key and one sample client per organisation and role, each with its
 * own key pair, generated at first start into the data directory (in memory without one) and registered with the
 * hub exactly as a real client is: its public key only. The CLIs and tests sign client assertions with them.
 */

/** A sample system of a sample organisation: the private key stays on this machine. */
export interface SampleClient {
  clientId: string;
  organisation: string;
  role: Role;
  privateJwk: JWK;
}

/** Sample clients sign their assertions with ES256 (quick to generate; the hub accepts RS* and PS* too). */
export const SAMPLE_CLIENT_ALGORITHM = 'ES256';
const IDENTITY_DIR = 'identity';
const HUB_KEY_FILE = 'hub-token-key.json';
const PROVIDER_KEY_FILE = 'identity-provider-key.json';
const CLIENTS_FILE = 'sample-clients.json';

export const sampleClientId = (organisation: string, role: Role) => `${organisation.toLowerCase()}-${role}`;

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

function writeSecret(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

async function privateJwk(algorithm: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true });
  return exportJWK(privateKey);
}

/** The hub's RSA token key: read from the data directory, or generated there at first start. */
export const localTokenKey = (dataDir?: string) => localKey(dataDir, HUB_KEY_FILE);
/** The local identity provider's ID token key (its own: a provider and the hub never share a key). */
export const localProviderKey = (dataDir?: string) => localKey(dataDir, PROVIDER_KEY_FILE);

/** The secret the local hub keys its NHS-number search index with: kept with the data it indexes. */
export function localSearchKey(dataDir?: string): string {
  const file = dataDir && join(dataDir, IDENTITY_DIR, 'search-key.json');
  const kept = file ? readJson<{ key: string }>(file) : undefined;
  if (kept) return kept.key;
  const key = randomBytes(32).toString('base64url');
  if (file) writeSecret(file, { key });
  return key;
}

async function localKey(dataDir: string | undefined, name: string): Promise<JWK> {
  const file = dataDir && join(dataDir, IDENTITY_DIR, name);
  const kept = file ? readJson<JWK>(file) : undefined;
  if (kept) return kept;
  const key = await privateJwk(HUB_TOKEN_ALGORITHM);
  if (file) writeSecret(file, key);
  return key;
}

/**
 * Which sample clients an organisation has: a sender and a receiver for each network member (a practice's sender
 * first, a partner's receiver first: the role it usually acts in), ops for each ops organisation.
 */
function wantedClients(networks: NetworkDefinition[], opsOrganisations: readonly string[]) {
  const roles = new Map<string, Role[]>();
  for (const network of networks) {
    for (const practice of network.practices) roles.set(practice.odsCode, ['sender', 'receiver']);
    for (const partner of network.organisations)
      if (!roles.has(partner.odsCode)) roles.set(partner.odsCode, ['receiver', 'sender']);
  }
  for (const ops of opsOrganisations) roles.set(ops, ['ops']);
  return [...roles].flatMap(([organisation, each]) => each.map((role) => ({ organisation, role })));
}

/** The sample clients: those kept in the data directory, plus any the networks now need (keys generated). */
export async function sampleClients(
  dataDir: string | undefined,
  networks: NetworkDefinition[],
  opsOrganisations: readonly string[],
): Promise<SampleClient[]> {
  const file = dataDir && join(dataDir, IDENTITY_DIR, CLIENTS_FILE);
  const kept = (file && readJson<SampleClient[]>(file)) || [];
  const known = new Set(kept.map((c) => c.clientId));
  const added = await Promise.all(
    wantedClients(networks, opsOrganisations)
      .filter(({ organisation, role }) => !known.has(sampleClientId(organisation, role)))
      .map(async ({ organisation, role }) => ({
        clientId: sampleClientId(organisation, role),
        organisation,
        role,
        privateJwk: await privateJwk(SAMPLE_CLIENT_ALGORITHM),
      })),
  );
  const clients = [...kept, ...added];
  if (file && added.length) writeSecret(file, clients);
  return clients;
}

/** The sample clients of the hub whose data is in `dataDir` (how the CLIs sign as them). */
export function readSampleClients(dataDir: string): SampleClient[] {
  const clients = readJson<SampleClient[]>(join(dataDir, IDENTITY_DIR, CLIENTS_FILE));
  if (!clients) throw new Error(`No sample clients in ${dataDir}: start the hub with npm start first`);
  return clients;
}

/** Registers each sample client with its public key only, as a real client's registration would be. */
export async function registerSampleClients(registry: ClientRegistry, clients: SampleClient[]): Promise<void> {
  await Promise.all(
    clients.map(async (client) => {
      const { d: _private, ...publicJwk } = client.privateJwk;
      const key = { ...publicJwk, kid: await calculateJwkThumbprint(publicJwk), alg: SAMPLE_CLIENT_ALGORITHM };
      await registry.register({
        clientId: client.clientId,
        organisation: client.organisation,
        roles: [client.role],
        keys: { keys: [key] },
      });
    }),
  );
}
