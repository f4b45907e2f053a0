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

/** What changes when `before` is replaced by `after`, one line each, e.g. "route mental-health-urgent changed". */
export function describeNetworkChanges(before: NetworkDefinition, after: NetworkDefinition): string[] {
  const lines: string[] = [];
  for (const field of ['name', 'odsCode', 'icb'] as const) {
    if (before[field] !== after[field]) lines.push(`${field}: ${before[field] ?? '-'} -> ${after[field] ?? '-'}`);
  }
  for (const { part, noun, key } of PARTS) {
    const keyOf = key as (item: Keyed) => string;
    const was = new Map(((before[part] ?? []) as Keyed[]).map((i) => [keyOf(i), i]));
    const is = new Map(((after[part] ?? []) as Keyed[]).map((i) => [keyOf(i), i]));
    const label = (k: string, item: Keyed) => `${noun} ${k}${item.name ? ` (${item.name})` : ''}`;
    for (const [k, item] of is) {
      if (!was.has(k)) lines.push(`+ ${label(k, item)} added`);
      else if (JSON.stringify(was.get(k)) !== JSON.stringify(item)) lines.push(`~ ${label(k, item)} changed`);
    }
    for (const [k, item] of was) if (!is.has(k)) lines.push(`- ${label(k, item)} removed`);
  }
  return lines;
}
