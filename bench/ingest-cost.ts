import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateResource } from '@medplum/core';
import type { NetworkDefinition } from '../core/routing/network.js';
import { loadBaseDefinitions } from '../core/validation/base-structure.js';
import { fastStructureCheck } from '../core/validation/fast-structure.js';
import { SAMPLE_PRACTICE } from '../local/identities.js';
import { networkFiles, readNetworkDefinitions, SAMPLE_NETWORKS_DIR } from '../local/network-files.js';
import { referralMessage } from '../local/sample-messages.js';
import { barsExample, VALID_NHS_NUMBER } from '../test/support/bars-examples.js';
import { bundleAsDeployed, bundlesDir } from './bundles.js';
import type * as IngestPath from './ingest-path.js';
import { median, medianRatio, microsByRound, round } from './measure.js';

export interface IngestCost {
  name: string;
  bytes: number;
  /** Parse, validate, authorise, route and build the stored item (the DynamoDB item, marshalled): no I/O. */
  ingestMicros: number;
  /** JSON.parse + JSON.stringify of the same bytes. */
  jsonFloorMicros: number;
  /** @medplum/core validateResource on the same message (R4 structure and invariants only). */
  medplumMicros: number;
  ratioToJsonFloor: number;
  speedupOverMedplum: number;
  /** Whether the one-walk structure check vouched for it (else the general validator ran). */
  structureCertain: boolean;
  changes?: string[];
}

/**
 * The national BaRS referral from a GP practice to a community pharmacy (REFREQ03, Pharmacy First), sent as it is:
 * only what no sample network can know is changed, each named (test/support/bars-examples.ts).
 */
function realBarsReferral(): { text: string; changes: string[] } {
  const { bundle, changedPaths } = barsExample('REFREQ03', {
    sender: SAMPLE_PRACTICE,
    nhsNumber: VALID_NHS_NUMBER,
    targetDosId: WATLING_PHARMACY_DOS_ID,
  });
  return {
    text: JSON.stringify(bundle),
    changes: [
      `the sender's ODS code set to ${SAMPLE_PRACTICE}, a practice of the sample networks`,
      "the patient's NHS number made valid (its own fails the Modulus 11 check)",
      `its target (a DoS service id) set to ${WATLING_PHARMACY_DOS_ID}, the sample Watling pharmacy`,
      `nothing else: ${changedPaths.length} values changed (${changedPaths.join(', ')})`,
    ],
  };
}

/** The DoS id of the sample network's community pharmacy (networks/watling-street-pcn.json). */
const WATLING_PHARMACY_DOS_ID = '2000000101';

/** Timing rounds of each message; calls per round of the ingest path and Medplum (the JSON floor makes more). */
const ROUNDS = 15;

async function measure(
  path: typeof IngestPath,
  networks: NetworkDefinition[],
  name: string,
  text: string,
  perRound: number,
  changes?: string[],
): Promise<IngestCost> {
  const hub = path.hubWithoutIo(networks);
  const caller = { organisation: SAMPLE_PRACTICE, roles: ['sender'] as const, ops: false };
  // As the ingest function calls it: the parsed body and its text as received (what is stored, unchanged).
  const ingest = () =>
    path.ingestMessage(hub, {
      body: JSON.parse(text),
      rawBody: text,
      requestId: 'bench',
      correlationId: 'bench',
      caller: { ...caller, roles: [...caller.roles] },
    });
  await ingest(); // refuses loudly here, not in the loop, if the message is not accepted
  loadBaseDefinitions();
  const times = await microsByRound(
    {
      ingest: { run: ingest, perRound },
      jsonFloor: { run: () => JSON.stringify(JSON.parse(text)), perRound: perRound * 4 },
      medplum: {
        run: () => {
          try {
            validateResource(JSON.parse(text));
          } catch {
            // its issues (the hub's profiles ask more than R4) cost the same to find
          }
        },
        perRound,
      },
    },
    ROUNDS,
  );
  return {
    name,
    bytes: Buffer.byteLength(text),
    ingestMicros: round(median(times.ingest)),
    jsonFloorMicros: round(median(times.jsonFloor)),
    medplumMicros: round(median(times.medplum)),
    ratioToJsonFloor: round(medianRatio(times.ingest, times.jsonFloor)),
    speedupOverMedplum: round(medianRatio(times.medplum, times.ingest), 2),
    structureCertain: fastStructureCheck(JSON.parse(text)).certain,
    ...(changes ? { changes } : {}),
  };
}

/** The ingest path bundled as the ingest Lambda is, and loaded. */
async function deployedIngestPath(): Promise<typeof IngestPath> {
  const dir = bundlesDir();
  try {
    const file = join(dir, 'ingest-path.mjs');
    await bundleAsDeployed(join(import.meta.dirname, 'ingest-path.ts'), file);
    return (await import(pathToFileURL(file).href)) as typeof IngestPath;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 1. What one message costs the hub in-process, against reading and writing its JSON, and against Medplum. */
export async function ingestCosts(): Promise<IngestCost[]> {
  const sample = JSON.stringify(referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' }));
  const bars = realBarsReferral();
  const path = await deployedIngestPath();
  const networks = readNetworkDefinitions(networkFiles([SAMPLE_NETWORKS_DIR]));
  return [
    await measure(path, networks, 'sample referral (local/sample-messages.ts)', sample, 400),
    await measure(
      path,
      networks,
      'real BaRS referral (REFREQ03, GP to community pharmacy), as sent',
      bars.text,
      40,
      bars.changes,
    ),
  ];
}
