import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a running `npm start` hub's embedded services listen, so the network CLI can load into it. */
export interface LocalEndpoints {
  dynamoEndpoint: string;
  directoryTable: string;
  baseUrl: string;
  receiversOrigin?: string;
}

const FILE = 'local-endpoints.json';

export function writeLocalEndpoints(dataDir: string, endpoints: LocalEndpoints): void {
  writeFileSync(join(dataDir, FILE), JSON.stringify(endpoints, null, 2));
}

export function readLocalEndpoints(dataDir: string): LocalEndpoints {
  try {
    return JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as LocalEndpoints;
  } catch {
    throw new Error(`No running local hub found in ${dataDir} (start one with npm start)`);
  }
}
