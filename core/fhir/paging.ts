import type { BundleLink } from 'fhir/r4';
import { BadRequestError, issue } from '../errors.js';

/**
 * How many results one page holds: `_count` when given (a whole number from 1; more than `max` is capped, as FHIR
 * lets a server do), else `standard`. Every search and listing of the hub reads `_count` through this.
 */
export function pageSize(count: string | undefined, standard: number, max: number): number {
  if (count === undefined) return standard;
  const n = Number(count);
  if (!/^\d+$/.test(count) || !Number.isSafeInteger(n) || n < 1)
    throw new BadRequestError('Bad _count', [
      issue('value', `_count must be a whole number from 1 to ${max}`, '_count'),
    ]);
  return Math.min(n, max);
}

/**
 * A page's links, as a FHIR searchset carries them: `self` (the query without its cursor) and, while there is more,
 * `next` (the same query with the cursor to go on from).
 */
export function pageLinks(url: string, query: Record<string, string | undefined>, cursor?: string): BundleLink[] {
  const self = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => entry[0] !== 'cursor' && entry[1] !== undefined),
  );
  const links: BundleLink[] = [{ relation: 'self', url: `${url}?${self}` }];
  if (cursor) {
    const next = new URLSearchParams(self);
    next.set('cursor', cursor);
    links.push({ relation: 'next', url: `${url}?${next}` });
  }
  return links;
}
