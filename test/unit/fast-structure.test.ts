import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateResource } from '@medplum/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBaseDefinitions } from '../../core/validation/base-structure.js';
import { fastStructureCheck } from '../../core/validation/fast-structure.js';
import { careHomeTaskMessage, referralMessage, responseMessage } from '../../local/sample-messages.js';

/**
 * The compiled one-walk check may be stricter than R4's general validator, never looser: whatever it is certain of,
 * the general validator (Medplum's, on the same R4 definitions) must accept.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const jsonFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });
const EXAMPLES = [
  ...jsonFiles(join(ROOT, 'fhir-profiles', 'examples')),
  ...jsonFiles(resolve(ROOT, '..', 'shared', 'reference')),
]
  .map((path) => ({ path, resource: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> }))
  .filter(({ resource }) => typeof resource.resourceType === 'string');

function generalValidatorAccepts(resource: unknown): boolean {
  loadBaseDefinitions();
  try {
    validateResource(structuredClone(resource) as Parameters<typeof validateResource>[0]);
    return true;
  } catch {
    return false;
  }
}

const samples = () => [
  referralMessage({ senderOds: 'Z9W001', category: 'social-prescribing' }),
  referralMessage({ senderOds: 'Z9W001', category: 'community-nursing', priority: 'urgent' }),
  careHomeTaskMessage({ senderOds: 'Z9W003' }),
  responseMessage({
    receiverOds: 'Z9W101',
    originalMessageId: crypto.randomUUID(),
    taskStatus: 'rejected',
    reason: 'x',
  }),
];

describe('the compiled R4 structure check', () => {
  it('is certain of the messages the hub and its sample systems send, and of a large real BaRS referral', () => {
    for (const message of samples()) expect(fastStructureCheck(message)).toEqual({ certain: true });
    const bars = EXAMPLES.find((e) => e.path.endsWith('process_message__request__ValidationRequestPOST.json'))!;
    expect(fastStructureCheck(bars.resource)).toEqual({ certain: true });
  });

  it.each(['REFREQ03', 'REFREQ06', 'SERVREQ01', 'SERVREQ02', 'REFRESP01'])(
    'is certain of the national BaRS example %s (its conditions, quantities and appointments included)',
    (name) => {
      const example = EXAMPLES.find((e) => e.path.endsWith(`bars-ig/examples/${name}.json`))!;
      expect(fastStructureCheck(example.resource)).toEqual({ certain: true });
    },
  );

  it.each(EXAMPLES.map((e) => [e.path.slice(ROOT.length - 4), e.resource] as const))(
    'is never certain of what R4 refuses: %s',
    (_path, resource) => {
      if (fastStructureCheck(resource).certain) expect(generalValidatorAccepts(resource)).toBe(true);
    },
  );

  it('is never certain of a message R4 refuses, however the message is changed', () => {
    // The hub's messages, and a real BaRS referral (with its observations, flags, consent and care plan).
    const bars = ['process_message__request__ValidationRequestPOST.json', 'REFREQ03.json', 'REFRESP01.json'].map(
      (name) => EXAMPLES.find((e) => e.path.endsWith(name))!.resource as unknown as ReturnType<typeof samples>[number],
    );
    const base = [...samples(), ...bars];
    const jsonValue = fc.oneof(
      fc.constant(null),
      fc.constant(''),
      fc.constant(' '),
      fc.constant([]),
      fc.constant({}),
      fc.boolean(),
      fc.integer({ min: -2, max: 2 }),
      fc.double(),
      fc.string({ maxLength: 6 }),
      fc.constantFrom('2026-13-01', '2026-12-01T10:00:00', 'urn:uuid:x', '#contained', 'a b'),
      fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
      fc.dictionary(
        fc.constantFrom('id', 'extension', 'valueString', 'url', 'text', '_x'),
        fc.string({ maxLength: 3 }),
      ),
    );
    const mutation = fc.record({
      message: fc.integer({ min: 0, max: base.length - 1 }),
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'delete', 'add', 'wrap', 'unwrap'),
      key: fc.constantFrom(
        'extra',
        'valueString',
        'id',
        'extension',
        '_status',
        'resourceType',
        'reference',
        'system',
        // Keys the Condition, Quantity and Appointment invariants read.
        'abatementString',
        'clinicalStatus',
        'verificationStatus',
        'comparator',
        'actor',
        'start',
      ),
      value: jsonValue,
    });
    fc.assert(
      fc.property(mutation, ({ message, at, kind, key, value }) => {
        const resource = structuredClone(base[message]!) as unknown as Record<string, unknown>;
        mutate(resource, at, kind, key, value);
        if (fastStructureCheck(resource).certain) expect(generalValidatorAccepts(resource)).toBe(true);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed: Number(process.env.FUZZ_SEED ?? 20261202) },
    );
  });
});

/** Every object and array inside a value, with its parent and key, in document order. */
function places(value: unknown, found: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []) {
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      found.push({ parent: value as Record<string, unknown>, key: Array.isArray(value) ? Number(key) : key });
      places(child, found);
    }
  }
  return found;
}

function mutate(resource: Record<string, unknown>, at: number, kind: string, key: string, value: unknown) {
  const all = places(resource);
  const place = all[at % all.length]!;
  const parent = place.parent as Record<string | number, unknown>;
  if (kind === 'replace') parent[place.key] = value;
  else if (kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(place.key as number, 1);
    else delete parent[place.key];
  } else if (kind === 'add') {
    const target = parent[place.key];
    if (target && typeof target === 'object' && !Array.isArray(target))
      (target as Record<string, unknown>)[key] = value;
    else parent[place.key] = value;
  } else if (kind === 'wrap') parent[place.key] = [parent[place.key]];
  else if (Array.isArray(parent[place.key])) parent[place.key] = (parent[place.key] as unknown[])[0];
}
