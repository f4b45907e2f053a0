import type { Bundle, BundleEntry, FhirResource, Identifier, MessageHeader, Organization, Reference } from 'fhir/r4';

/** A message Bundle whose entries hold any R4 resource. */
export type MessageBundle = Bundle<FhirResource>;

import { canonicalSystem } from './systems.js';

/** Finds the entry a reference points at inside a message Bundle: by fullUrl (urn:uuid:...) or Type/id. */
export function resolveInBundle(
  bundle: MessageBundle,
  reference: string | undefined,
): BundleEntry<FhirResource> | undefined {
  if (!reference) return undefined;
  const entries = bundle.entry ?? [];
  const byFullUrl = entries.find((e) => e.fullUrl === reference);
  if (byFullUrl) return byFullUrl;
  const [type, id] = reference.split('/').slice(-2);
  return entries.find((e) => e.resource?.resourceType === type && e.resource?.id === id);
}

export function resolveResource<T extends FhirResource>(
  bundle: MessageBundle,
  ref: Reference | undefined,
  type: T['resourceType'],
): T | undefined {
  const resource = resolveInBundle(bundle, ref?.reference)?.resource;
  return resource?.resourceType === type ? (resource as T) : undefined;
}

/** The organisation that sends a message: MessageHeader.sender, or the organization of its PractitionerRole. */
export function senderOrganization(bundle: MessageBundle, header: MessageHeader): Organization | undefined {
  let sender = resolveInBundle(bundle, header.sender?.reference)?.resource;
  if (sender?.resourceType === 'PractitionerRole')
    sender = resolveInBundle(bundle, sender.organization?.reference)?.resource;
  return sender?.resourceType === 'Organization' ? sender : undefined;
}

/** The value of the first identifier in the given system, comparing canonical spellings. */
export function identifierValue(identifiers: Identifier[] | undefined, system: string): string | undefined {
  return identifiers?.find((i) => canonicalSystem(i.system) === system)?.value;
}

/** Rewrites every identifier system spelled in a known non-canonical way (in place; the hub emits canonical systems). */
export function canonicaliseIdentifierSystems(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) canonicaliseIdentifierSystems(item);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.system === 'string') record.system = canonicalSystem(record.system);
    for (const child of Object.values(record)) canonicaliseIdentifierSystems(child);
  }
}

/** `system|value` endpoint strings (BaRS destination.endpoint) split into their parts. */
export function parseSystemValue(text: string | undefined): { system: string; value: string } | undefined {
  if (!text) return undefined;
  const bar = text.indexOf('|');
  if (bar < 0) return undefined;
  return { system: canonicalSystem(text.slice(0, bar)) ?? '', value: text.slice(bar + 1) };
}
