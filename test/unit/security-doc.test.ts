import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES, type RouteAccess, routeKey } from '../../core/api/routes.js';

const SECURITY = readFileSync(join(import.meta.dirname, '..', '..', 'SECURITY.md'), 'utf8');
/** How the table words a route's access: 'anyone', or the roles that may call it. */
const accessWords = (access: RouteAccess) => (access === 'public' ? 'anyone' : access.join(', '));

/** The table's rows as [route, access] (the first two cells; the table may be padded). */
const ROWS = SECURITY.split('\n')
  .filter((line) => /^\| `(GET|POST) /.test(line))
  .map((line) => line.split('|').map((cell) => cell.trim()))
  .map(([, route = '', access = '']) => [route.replaceAll('`', ''), access] as const);

const documentedAccess = (route: string) => ROWS.find(([r]) => r === route)?.[1];

describe("SECURITY.md's table of who can do what", () => {
  it.each(ROUTES.map((r) => [routeKey(r), r.access] as const))('shows %s with its access (%s)', (route, access) => {
    expect(documentedAccess(route)).toBe(accessWords(access));
  });

  it('lists no route the routes table does not have', () => {
    expect(ROWS.map(([route]) => route).sort()).toEqual(ROUTES.map(routeKey).sort());
  });
});
