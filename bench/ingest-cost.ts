import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { validateResource } from '@medplum/core';
import type { Bundle, MessageHeader, Organization, Patient, PractitionerRole, ServiceRequest } from 'fhir/r4';
import { canonicalSystem, SYSTEMS } from '../core/fhir/systems.js';
import { createHub } from '../core/hub.js';
import { DEFAULT_DELIVERY_POLICY } from '../core/lifecycle/delivery-policy.js';
import { inMemoryDirectory } from '../core/routing/memory-directory.js';
import { ingestMessage } from '../core/services/ingest.js';
import { loadBaseDefinitions } from '../core/validation/base-structure.js';
import { fastStructureCheck } from '../core/validation/fast-structure.js';
import { CursorCodec } from '../functions/lib/cursors.js';
import { DynamoMessageStore } from '../functions/lib/dynamo-message-store.js';
import { LOCAL_HUB_ODS, LOCAL_OPS_ODS, SAMPLE_PRACTICE } from '../local/identities.js';
import { referralMessage } from '../local/messages.js';
import { networkFiles, readNetworkDefinitions, SAMPLE_NETWORKS_DIR } from '../local/network-files.js';
import { microsPerAsyncCall, microsPerCall, round } from './measure.js';

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

/** A hub whose ports do no I/O: the store builds and marshals its DynamoDB item and stops there. */
export function hubWithoutIo() {
  const itemOnly = {
    send: async (command: { input: { Item?: Record<string, unknown> } }) => {
      if (command.input.Item) marshall(command.input.Item, { removeUndefinedValues: true });
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return createHub(
    {
      hub: { odsCode: LOCAL_HUB_ODS, name: 'Bench hub', baseUrl: 'https://hub.example.org' },
      policy: DEFAULT_DELIVERY_POLICY,
      opsOrganisations: [LOCAL_OPS_ODS],
    },
    {
      store: new DynamoMessageStore(itemOnly, 'messages', new CursorCodec('bench-cursor-key'), (n) => `key:${n}`),
      queue: { enqueue: async () => undefined, retryAfter: async () => undefined, depth: async () => 0 },
      directory: inMemoryDirectory(readNetworkDefinitions(networkFiles([SAMPLE_NETWORKS_DIR]))),
      transport: { push: async () => ({ status: 202, detail: 'bench' }) },
      operations: {
        addTraffic: async () => undefined,
        readTraffic: async () => [],
        raiseAlert: async () => false,
        clearAlert: async () => false,
        listAlerts: async () => [],
      },
      identity: {} as never, // no token is issued or checked in-process
    },
  );
}

async function measure(name: string, text: string, perRound: number, changes?: string[]): Promise<IngestCost> {
  const hub = hubWithoutIo();
  const caller = { organisation: SAMPLE_PRACTICE, roles: ['sender'] as const, ops: false };
  const ingest = () =>
    ingestMessage(hub, {
      body: JSON.parse(text),
      requestId: 'bench',
      correlationId: 'bench',
      caller: { ...caller, roles: [...caller.roles] },
    });
  await ingest(); // refuses loudly here, not in the loop, if the message is not accepted
  const ingestMicros = await microsPerAsyncCall(ingest, perRound);
  const jsonFloorMicros = microsPerCall(() => JSON.stringify(JSON.parse(text)), perRound * 4);
  loadBaseDefinitions();
  const medplumMicros = microsPerCall(() => {
    try {
      validateResource(JSON.parse(text));
    } catch {
      // its issues (the hub's profiles ask more than R4) cost the same to find
    }
  }, perRound);
  return {
    name,
    bytes: Buffer.byteLength(text),
    ingestMicros: round(ingestMicros),
    jsonFloorMicros: round(jsonFloorMicros),
    medplumMicros: round(medplumMicros),
    ratioToJsonFloor: round(ingestMicros / jsonFloorMicros),
    speedupOverMedplum: round(medplumMicros / ingestMicros, 2),
    structureCertain: fastStructureCheck(JSON.parse(text)).certain,
    ...(changes ? { changes } : {}),
  };
}

/** 1. What one message costs the hub in-process, against reading and writing its JSON, and against Medplum. */
export async function ingestCosts(): Promise<IngestCost[]> {
  const sample = JSON.stringify(referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' }));
  const bars = adaptedBarsReferral();
  return [
    await measure('sample referral (local/messages.ts)', sample, 400),
    await measure('largest real BaRS referral, adapted to the hub profiles', bars.text, 40, bars.changes),
  ];
}
