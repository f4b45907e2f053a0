import { type InternalTypeSchema, isPrimitiveType, tryGetDataType } from '@medplum/core';
import { type Issue, issue } from '../errors.js';
import { own } from '../own.js';

/** How deep the walk follows complex types (the JSON limits stop deeper messages before this runs). */
const MAX_TYPE_DEPTH = 40;

/**
 * Finds values that are not objects where R4 expects one (a string where a Reference belongs, say). Each is reported
 * once, and replaced by an empty object in the copy R4's structural check then reads: that check would otherwise
 * report one issue per character of the string, so a question of a megabyte could cost seconds and a huge answer.
 */
export function withoutMisplacedValues<T>(resource: T): { copy: T; issues: Issue[] } {
  const type = (resource as { resourceType?: unknown })?.resourceType;
  if (typeof type !== 'string') return { copy: resource, issues: [] };
  // Most messages have none: look first, and copy only a message that needs mending.
  const found: Issue[] = [];
  visit(resource as Record<string, unknown>, type, [], type, found, 0, false);
  if (found.length === 0) return { copy: resource, issues: [] };
  const copy = structuredClone(resource);
  const issues: Issue[] = [];
  visit(copy as Record<string, unknown>, type, [], type, issues, 0, true);
  return { copy, issues };
}

function visit(
  value: Record<string, unknown>,
  typeName: string,
  inner: InternalTypeSchema[],
  path: string,
  issues: Issue[],
  depth: number,
  mend: boolean,
): void {
  if (depth > MAX_TYPE_DEPTH) return;
  const schema = knownType(typeName) ?? inner.find((t) => t.name === typeName);
  if (!schema) return;
  const innerTypes = [...inner, ...schema.innerTypes];
  for (const [key, child] of Object.entries(value)) {
    const code = elementType(schema, key);
    if (!code || isPrimitiveType(code)) continue;
    const items = Array.isArray(child) ? child : [child];
    items.forEach((item, i) => {
      const at = Array.isArray(child) ? `${path}.${key}[${i}]` : `${path}.${key}`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        issues.push(issue('structure', `Expected ${code} (a JSON object), found ${describe(item)}`, at));
        if (!mend) return;
        if (Array.isArray(child)) child[i] = {};
        else value[key] = {};
        return;
      }
      const record = item as Record<string, unknown>;
      const next = code === 'Resource' && typeof record.resourceType === 'string' ? record.resourceType : code;
      visit(record, next, innerTypes, at, issues, depth + 1, mend);
    });
  }
}

/** The type of an element by its JSON name, choice types (value[x] as valueReference) included. */
function elementType(schema: InternalTypeSchema, key: string): string | undefined {
  const direct = own(schema.elements, key);
  if (direct) return direct.type.length === 1 ? direct.type[0]!.code : undefined;
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]')) continue;
    const base = name.slice(0, -3);
    if (!key.startsWith(base)) continue;
    const suffix = key.slice(base.length);
    return element.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase())?.code;
  }
  return undefined;
}

/** A FHIR data type by name, only when the name is one (a message's resourceType may be any string). */
function knownType(name: string): InternalTypeSchema | undefined {
  if (!/^[A-Z][A-Za-z]*$/.test(name)) return undefined;
  const schema = tryGetDataType(name);
  return schema && typeof schema.elements === 'object' ? schema : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `a ${typeof value}`;
}
