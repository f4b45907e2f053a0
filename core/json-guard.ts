import { BadRequestError, issue } from './errors.js';

/**
 * The deepest nesting any body the hub reads may have (a FHIR message needs 32 at most; core/validation/limits.ts).
 * Checked on the text before it is parsed, so no recursive walk (JSON.stringify of an answer, a validator, a schema
 * check) ever meets a body deep enough to overflow its stack.
 */
export const MAX_BODY_JSON_DEPTH = 64;

/** Names JavaScript objects inherit: never a FHIR element or a field of the hub's bodies, and never to be looked up. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  '__proto__',
]);

const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;

/** How deeply the JSON text nests its objects and arrays, reading it once (strings skipped); no parse, no recursion. */
export function jsonNesting(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

/** Refuses a body nested deeper than any the hub reads (400), before anything parses it. */
export function refuseDeepJson(text: string | undefined): void {
  if (text && jsonNesting(text, MAX_BODY_JSON_DEPTH) > MAX_BODY_JSON_DEPTH)
    throw new BadRequestError('Nested too deeply', [
      issue('structure', `The body nests JSON deeper than ${MAX_BODY_JSON_DEPTH} levels`),
    ]);
}

/** Most characters of a sender's own value an answer repeats back to it. */
export const MAX_ECHOED_CHARS = 200;

/** A value of the sender's, as an answer may quote it: JSON, cut short (an answer never grows with the question). */
export function quoted(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value;
  }
  return text.length > MAX_ECHOED_CHARS ? `${text.slice(0, MAX_ECHOED_CHARS)}… (${text.length} characters)` : text;
}
