import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageHeader, Organization, PractitionerRole } from 'fhir/r4';
import type { MessageBundle } from '../../core/fhir/bundle.js';
import { canonicalSystem, SYSTEMS } from '../../core/fhir/systems.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';

/** The national BaRS examples (package uk.nhsdigital.bars.r4), unchanged copies in ../shared/reference/bars-ig. */
export const BARS_EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'bars-ig', 'examples');

/** A valid NHS number (Modulus 11) for the examples, whose own numbers fail the check. */
export const VALID_NHS_NUMBER = '9000000009';

/**
 * What a test may change in a real BaRS example: only what no sample network can know (README of bars-ig). Each
 * is named, and `changedPaths` lists exactly where the sent message differs from the example.
 */
export interface ExampleChanges {
  /** The ODS code of MessageHeader.sender's organisation: a practice (or a receiver) of the sample networks. */
  sender?: string;
  /** Every NHS number: a valid one (the examples' fail the Modulus 11 check). */
  nhsNumber?: string;
  /** The DoS service id MessageHeader.destination.endpoint names: a service of the sample networks. */
  targetDosId?: string;
  /** A fresh Bundle.id (the message's identity), so each test sends a new message. */
  freshId?: boolean;
  /** MessageHeader.response.identifier: the referral (as this test sent it) that a response answers. */
  respondsTo?: string;
  /** A note on the ServiceRequest asking the simulated BaRS receiver for an answer (`simulate REC_...`). */
  note?: string;
}

export interface SentExample {
  bundle: MessageBundle;
  /** JSON paths where the message differs from the example as published. */
  changedPaths: string[];
}

export function readExample(name: string): MessageBundle {
  return JSON.parse(readFileSync(join(BARS_EXAMPLES, `${name}.json`), 'utf8')) as MessageBundle;
}

/** A BaRS example with the named changes made, and where it now differs from the published one. */
export function barsExample(name: string, changes: ExampleChanges): SentExample {
  const original = readExample(name);
  const bundle = structuredClone(original);
  const entries = bundle.entry ?? [];
  const byUrl = (url: string | undefined) => entries.find((e) => e.fullUrl === url)?.resource;
  const header = entries[0]!.resource as MessageHeader;
  if (changes.sender) {
    let sender = byUrl(header.sender?.reference);
    if (sender?.resourceType === 'PractitionerRole')
      sender = byUrl((sender as PractitionerRole).organization?.reference);
    for (const identifier of (sender as Organization).identifier ?? [])
      if (canonicalSystem(identifier.system) === SYSTEMS.odsOrganisation) identifier.value = changes.sender;
  }
  if (changes.nhsNumber)
    for (const entry of entries)
      if (entry.resource?.resourceType === 'Patient')
        for (const identifier of entry.resource.identifier ?? [])
          if (canonicalSystem(identifier.system) === SYSTEMS.nhsNumber) identifier.value = changes.nhsNumber;
  if (changes.targetDosId) header.destination![0]!.endpoint = `${SYSTEMS.dosServiceId}|${changes.targetDosId}`;
  if (changes.freshId) bundle.id = randomUUID();
  if (changes.respondsTo) header.response!.identifier = changes.respondsTo;
  if (changes.note)
    for (const entry of entries)
      if (entry.resource?.resourceType === 'ServiceRequest') entry.resource.note = [{ text: changes.note }];
  return { bundle, changedPaths: differences(original, bundle) };
}

/** Every JSON path at which two values differ (leaves and added or removed members). */
export function differences(before: unknown, after: unknown, path = ''): string[] {
  if (typeof before === 'object' && before !== null && typeof after === 'object' && after !== null) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) =>
      differences(
        (before as Record<string, unknown>)[key],
        (after as Record<string, unknown>)[key],
        Array.isArray(before) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
      ),
    );
  }
  return before === after ? [] : [path];
}

/** The sample practice the examples are sent as (Hilltops Medical Centre, Watling Street PCN). */
export const BARS_PRACTICE = SAMPLE_PRACTICE;
/** The sample network's community pharmacy the referral examples go to (networks/watling-street-pcn.json). */
export const WATLING_PHARMACY = { ods: 'Z9W105', dosId: '2000000101', name: 'Watling Pharmacy — Pharmacy First' };

/** A referral example to Watling's pharmacy as a practice sends it: only what no sample network can know changed. */
export const watlingReferral = (name: 'REFREQ03' | 'REFREQ06', note?: string) =>
  barsExample(name, {
    sender: BARS_PRACTICE,
    nhsNumber: VALID_NHS_NUMBER,
    targetDosId: WATLING_PHARMACY.dosId,
    freshId: true,
    ...(note ? { note } : {}),
  });
