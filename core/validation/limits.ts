import { BadRequestError, issue } from '../errors.js';
import { PROTOTYPE_KEYS } from '../json-guard.js';

/** Deepest nesting a FHIR message needs (extensions within extensions included); deeper is an attack or a bug. */
export const MAX_JSON_DEPTH = 32;
/** Longest array in a message; a referral Bundle has tens of entries. */
export const MAX_ARRAY_LENGTH = 500;
/** Most JSON values in one message; bounds validation time per request. */
export const MAX_JSON_NODES = 100_000;
/** Longest string in a message: attachments travel by reference (Attachment.url), so no element needs more. */
export const MAX_STRING_LENGTH = 64_000;
interface JsonNode {
  value: unknown;
  depth: number;
  parent?: JsonNode;
  key?: string | number;
}

/** The FHIRPath-like location of a node, built only when a limit is broken (most messages never need one). */
function pathOf(node: JsonNode): string {
  const parts: string[] = [];
  for (let at: JsonNode | undefined = node; at?.parent; at = at.parent)
    parts.push(typeof at.key === 'number' ? `[${at.key}]` : `.${at.key}`);
  return `Bundle${parts.reverse().join('')}`;
}

/** Refuses pathological JSON before any FHIR processing spends time on it. Iterative: no stack to overflow. */
export function checkJsonLimits(root: unknown): void {
  const stack: JsonNode[] = [{ value: root, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (++nodes > MAX_JSON_NODES)
      throw new BadRequestError('Message too large', [
        issue('too-long', `The message has more than ${MAX_JSON_NODES} JSON values`),
      ]);
    if (depth > MAX_JSON_DEPTH)
      throw new BadRequestError('Message nested too deeply', [
        issue('structure', `JSON nesting deeper than ${MAX_JSON_DEPTH} levels`, pathOf(node)),
      ]);
    if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY_LENGTH)
        throw new BadRequestError('Array too long', [
          issue(
            'too-long',
            `An array has ${value.length} items; at most ${MAX_ARRAY_LENGTH} are accepted`,
            pathOf(node),
          ),
        ]);
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], depth: depth + 1, parent: node, key: i });
    } else if (typeof value === 'string') {
      if (value.length > MAX_STRING_LENGTH)
        throw new BadRequestError('String too long', [
          issue(
            'too-long',
            `A string of ${value.length} characters; at most ${MAX_STRING_LENGTH} are accepted (attachments go by Attachment.url)`,
            pathOf(node),
          ),
        ]);
    } else if (value && typeof value === 'object') {
      for (const key in value) {
        // No FHIR element has such a name; lookups by element name must never meet one (they would find
        // Object.prototype's), so it is refused here, before any.
        if (PROTOTYPE_KEYS.has(key))
          throw new BadRequestError('Unknown element', [
            issue('structure', `'${key}' is not the name of a FHIR element`, pathOf({ ...node, parent: node, key })),
          ]);
        stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, parent: node, key });
      }
    }
  }
}
