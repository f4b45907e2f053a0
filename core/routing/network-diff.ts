import type { NetworkDefinition } from './network.js';

/** The parts of a network definition, each a list keyed by its id or ODS code, and how to name one item. */
const PARTS = [
  { part: 'practices', noun: 'practice', key: (i: { odsCode: string }) => i.odsCode },
  { part: 'organisations', noun: 'organisation', key: (i: { odsCode: string }) => i.odsCode },
  { part: 'endpoints', noun: 'endpoint', key: (i: { id: string }) => i.id },
  { part: 'services', noun: 'service', key: (i: { id: string }) => i.id },
  { part: 'careHomes', noun: 'care home', key: (i: { odsCode: string }) => i.odsCode },
  { part: 'routes', noun: 'route', key: (i: { id: string }) => i.id },
] as const;

type Keyed = { id?: string; odsCode?: string; name?: string };

/** The longest value a change line shows, and the most lines a diff lists: a diff never outgrows its files. */
const MAX_SHOWN_CHARS = 200;
const MAX_CHANGE_LINES = 500;

/** How a value reads in a change line: text as it is, anything else as JSON, an absent value as "-"; cut short. */
const shown = (value: unknown) => {
  const text = value === undefined ? '-' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
};

/** Each leaf that differs between two JSON values, as "path: old -> new" (lists compared as wholes). */
function fieldChanges(before: unknown, after: unknown, path: string): string[] {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [`${path}: ${shown(before)} -> ${shown(after)}`];
}

/**
 * What changes when `before` is replaced by `after`, one line each: an item added or removed, or each field of a
 * changed one, e.g. "~ route mental-health-urgent: responseHours: 72 -> 48".
 */
export function describeNetworkChanges(before: NetworkDefinition, after: NetworkDefinition): string[] {
  const lines: string[] = [];
  for (const field of ['name', 'odsCode', 'icb'] as const) {
    if (before[field] !== after[field]) lines.push(`${field}: ${shown(before[field])} -> ${shown(after[field])}`);
  }
  for (const { part, noun, key } of PARTS) {
    const keyOf = key as (item: Keyed) => string;
    const was = new Map(((before[part] ?? []) as Keyed[]).map((i) => [keyOf(i), i]));
    const is = new Map(((after[part] ?? []) as Keyed[]).map((i) => [keyOf(i), i]));
    const label = (k: string, item: Keyed) => `${noun} ${k}${item.name ? ` (${item.name})` : ''}`;
    for (const [k, item] of is) {
      if (!was.has(k)) lines.push(`+ ${label(k, item)} added`);
      else for (const change of fieldChanges(was.get(k), item, '')) lines.push(`~ ${label(k, item)}: ${change}`);
    }
    for (const [k, item] of was) if (!is.has(k)) lines.push(`- ${label(k, item)} removed`);
  }
  if (lines.length <= MAX_CHANGE_LINES) return lines;
  return [...lines.slice(0, MAX_CHANGE_LINES), `and ${lines.length - MAX_CHANGE_LINES} more changes`];
}
