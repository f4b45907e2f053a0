import type { StructureDefinition } from 'fhir/r4';

/**
 * R4's structure as tables, compiled at build time (`npm run profiles`) from the same definitions the general
 * validator reads: per type, its elements by JSON name with their types, cardinality and invariants. The fast
 * structure check (fast-structure.ts) walks a message against them.
 */

/** One element: [types, min, max (-1: unbounded), array, invariant keys]. */
export type CompiledElement = [types: string[], min: number, max: number, array: boolean, invariants: string[]];

export interface CompiledType {
  /** A resource type (its root may carry resourceType). */
  resource: boolean;
  /** Invariants on the type itself. */
  invariants: string[];
  /** Elements by name; a choice element by its name with [x]. */
  elements: Record<string, CompiledElement>;
}

/** Invariants the general validator skips (as Medplum does). */
const SKIPPED = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);
const SYSTEM_STRING = 'http://hl7.org/fhirpath/System.String';
const FHIR_TYPE = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
/** Marks an element the fast check cannot vouch for (a slice, a fixed value, a pattern). */
export const UNSURE = 'unsure';

export function compileStructureTables(definitions: readonly StructureDefinition[]): Record<string, CompiledType> {
  const compiled: Record<string, CompiledType> = {};
  const typeOf = (key: string, resource: boolean) => {
    compiled[key] ??= { resource, invariants: [], elements: {} };
    return compiled[key];
  };
  for (const definition of definitions) {
    if (definition.kind === 'primitive-type') continue;
    const resource = definition.kind === 'resource';
    for (const element of definition.snapshot?.element ?? []) {
      const path = element.path;
      const invariants = (element.constraint ?? [])
        .filter((c) => c.severity === 'error' && !SKIPPED.has(c.key))
        .map((c) => c.key);
      const dot = path.lastIndexOf('.');
      if (dot === -1) {
        typeOf(path, resource).invariants = invariants;
        continue;
      }
      const ownerPath = path.slice(0, dot);
      // A backbone element (Bundle.entry) is never itself a resource.
      const owner = typeOf(ownerPath, resource && !ownerPath.includes('.'));
      const name = path.slice(dot + 1);
      // FHIRPath's String stands for a FHIR primitive its extension names (Extension.url is a uri); a resource's id
      // is checked as the id it is.
      const codes = (element.type ?? []).map((t) =>
        t.code !== SYSTEM_STRING
          ? t.code
          : name === 'id' && dot === path.indexOf('.') && resource
            ? 'id'
            : (t.extension?.find((e) => e.url === FHIR_TYPE)?.valueUrl ?? 'string'),
      );
      // A backbone element is a type of its own, keyed by its path; a content reference names another's.
      const types = element.contentReference
        ? [element.contentReference.slice(1)]
        : codes.length === 1 && (codes[0] === 'BackboneElement' || codes[0] === 'Element')
          ? [path]
          : codes;
      const baseMax = element.base?.max ?? element.max;
      const unsure =
        element.slicing?.rules === 'closed' ||
        Object.keys(element).some((k) => k.startsWith('fixed') || k.startsWith('pattern'));
      owner.elements[name] = [
        types,
        element.min ?? 0,
        element.max === '*' ? -1 : Number(element.max ?? '1'),
        baseMax !== '1' && baseMax !== '0',
        [...invariants, ...(unsure ? [UNSURE] : [])],
      ];
    }
  }
  return compiled;
}
