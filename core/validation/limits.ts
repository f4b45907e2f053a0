import { BadRequestError, issue } from '../errors.js';

/** Deepest nesting a FHIR message needs (extensions within extensions included); deeper is an attack or a bug. */
export const MAX_JSON_DEPTH = 32;
/** Longest array in a message; a referral Bundle has tens of entries. */
export const MAX_ARRAY_LENGTH = 500;
/** Most JSON values in one message; bounds validation time per request. */
export const MAX_JSON_NODES = 100_000;
/** Longest string in a message: attachments travel by reference (Attachment.url), so no element needs more. */
export const MAX_STRING_LENGTH = 64_000;
/** Most issues one answer lists; the rest are counted in one last issue, so an answer stays smaller than its question. */
export const MAX_ISSUES_PER_ANSWER = 100;

/** Refuses pathological JSON before any FHIR processing spends time on it. Iterative: no stack to overflow. */
export function checkJsonLimits(root: unknown): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: root, depth: 0, path: 'Bundle' }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (++nodes > MAX_JSON_NODES)
      throw new BadRequestError('Message too large', [
        issue('too-long', `The message has more than ${MAX_JSON_NODES} JSON values`),
      ]);
    if (depth > MAX_JSON_DEPTH)
      throw new BadRequestError('Message nested too deeply', [
        issue('structure', `JSON nesting deeper than ${MAX_JSON_DEPTH} levels`, path),
      ]);
    if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY_LENGTH)
        throw new BadRequestError('Array too long', [
          issue('too-long', `An array has ${value.length} items; at most ${MAX_ARRAY_LENGTH} are accepted`, path),
        ]);
      for (const [i, v] of value.entries()) stack.push({ value: v, depth: depth + 1, path: `${path}[${i}]` });
    } else if (typeof value === 'string' && value.length > MAX_STRING_LENGTH) {
      throw new BadRequestError('String too long', [
        issue(
          'too-long',
          `A string of ${value.length} characters; at most ${MAX_STRING_LENGTH} are accepted (attachments go by Attachment.url)`,
          path,
        ),
      ]);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, depth: depth + 1, path: `${path}.${k}` });
    }
  }
}
