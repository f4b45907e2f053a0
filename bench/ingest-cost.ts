import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateResource } from '@medplum/core';
import type { Bundle, MessageHeader, Organization, Patient, PractitionerRole, ServiceRequest } from 'fhir/r4';
import { canonicalSystem, SYSTEMS } from '../core/fhir/systems.js';
import type { NetworkDefinition } from '../core/routing/network.js';
import { loadBaseDefinitions } from '../core/validation/base-structure.js';
import { fastStructureCheck } from '../core/validation/fast-structure.js';
import { SAMPLE_PRACTICE } from '../local/identities.js';
import { referralMessage } from '../local/messages.js';
import { networkFiles, readNetworkDefinitions, SAMPLE_NETWORKS_DIR } from '../local/network-files.js';
import { bundleAsDeployed, bundlesDir } from './bundles.js';
import type * as IngestPath from './ingest-path.js';
import { median, medianRatio, microsByRound, round } from './measure.js';

/** The largest real BaRS referral in ../shared/reference, and what the hub's profiles ask of it that it lacks. */
const BARS_REFERRAL = join(
  import.meta.dirname,
  '..',
  '..',
  'shared',
  'reference',
  'bars-api',
  'process_message__request__ValidationRequestPOST.json',
);

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
 * The BaRS validation request, with what no real BaRS example has and the hub's profiles require: a service the hub
 * routes (its category), authoredOn, a valid NHS number, a sender practice of the sample networks.
 */
function adaptedBarsReferral(): { text: string; changes: string[] } {
  const bundle = JSON.parse(readFileSync(BARS_REFERRAL, 'utf8')) as Bundle;
  const resources = (bundle.entry ?? []).map((e) => e.resource);
  const request = resources.find((r): r is ServiceRequest => r?.resourceType === 'ServiceRequest')!;
  request.category = [
    ...(request.category ?? []),
    { coding: [{ system: SYSTEMS.hubServiceCategory, code: 'social-prescribing' }] },
  ];
  request.authoredOn = bundle.timestamp!;
  const patient = resources.find((r): r is Patient => r?.resourceType === 'Patient')!;
  for (const identifier of patient.identifier ?? [])
    if (identifier.system === SYSTEMS.nhsNumber) identifier.value = '9000000009';
  const header = resources[0] as MessageHeader;
  // Its target, a Directory of Services id, as the hub's own id of the sample social prescribing service.
  header.destination![0]!.endpoint = `${SYSTEMS.hubService}|mk-social-prescribing`;
  const senderUrl = header.sender?.reference;
  let sender = bundle.entry?.find((e) => e.fullUrl === senderUrl)?.resource;
  if (sender?.resourceType === 'PractitionerRole') {
    const organisation = (sender as PractitionerRole).organization?.reference;
    sender = bundle.entry?.find((e) => e.fullUrl === organisation)?.resource;
  }
  for (const identifier of (sender as Organization).identifier ?? [])
    if (canonicalSystem(identifier.system) === SYSTEMS.odsOrganisation) identifier.value = SAMPLE_PRACTICE;
  return {
    text: JSON.stringify(bundle),
    changes: [
      'a hub service category (social-prescribing) added to ServiceRequest.category',
      'ServiceRequest.authoredOn set (the hub requires it)',
      "the patient's NHS number made valid (its own fails the Modulus 11 check)",
      `the sender's ODS code set to ${SAMPLE_PRACTICE}, a practice of the sample networks`,
      'its target (a Directory of Services id) set to the sample social prescribing service',
    ],
  };
}

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
  const ingest = () =>
    path.ingestMessage(hub, {
      body: JSON.parse(text),
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
  const bars = adaptedBarsReferral();
  const path = await deployedIngestPath();
  const networks = readNetworkDefinitions(networkFiles([SAMPLE_NETWORKS_DIR]));
  return [
    await measure(path, networks, 'sample referral (local/messages.ts)', sample, 400),
    await measure(
      path,
      networks,
      'largest real BaRS referral, adapted to the hub profiles',
      bars.text,
      40,
      bars.changes,
    ),
  ];
}
