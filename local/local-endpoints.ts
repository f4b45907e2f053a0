import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a running `npm start` hub's embedded services listen, so the network CLI can load into it. */
export interface LocalEndpoints {
  dynamoEndpoint: string;
  directoryTable: string;
  identityTable: string;
  baseUrl: string;
  dataDir: string;
  /** The organisations whose people and clients may hold the ops role on this hub. */
  opsOrganisations: string[];
}

const FILE = 'local-endpoints.json';
/**
 * The last hub `npm start` started, whatever its --data-dir: how the CLIs find it without being told. The tests
 * point LOCAL_HUB_RECORD elsewhere (vitest.config.ts), so their short-lived hubs never replace the user's record.
 */
const runningHubRecord = () =>
  process.env.LOCAL_HUB_RECORD ?? join(fileURLToPath(new URL('..', import.meta.url)), '.local-hub.json');
/** How long the CLIs wait for a hub to answer before saying it is not running. */
const ALIVE_TIMEOUT_MS = 2000;

export function writeLocalEndpoints(endpoints: LocalEndpoints): void {
  const text = JSON.stringify(endpoints, null, 2);
  writeFileSync(join(endpoints.dataDir, FILE), text);
  writeFileSync(runningHubRecord(), text);
}

/**
 * The running local hub: the one whose data is in `dataDir` when given, else the last one started. Checked to
 * answer, so a stale record of a stopped hub is reported as such.
 */
export async function findLocalHub(dataDir?: string): Promise<LocalEndpoints> {
  const file = dataDir ? join(dataDir, FILE) : runningHubRecord();
  let endpoints: LocalEndpoints;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
  } catch {
    throw new Error(
      `No local hub has been started${dataDir ? ` with data in ${dataDir}` : ''}: start one with npm start`,
    );
  }
  const alive = await fetch(`${endpoints.baseUrl}/metadata`, { signal: AbortSignal.timeout(ALIVE_TIMEOUT_MS) })
    .then((r) => r.ok)
    .catch(() => false);
  if (!alive) {
    throw new Error(
      `The local hub last started at ${endpoints.baseUrl} (data in ${endpoints.dataDir}) is not running: start it with npm start`,
    );
  }
  return endpoints;
}
