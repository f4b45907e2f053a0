import { describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../core/api/routes.js';
import type { Role } from '../../core/auth.js';
import { createHandlers, httpHandlerOf } from '../../functions/handlers.js';
import { httpHandler } from '../../functions/lib/http.js';
import { matchRoute } from '../../local/http-server.js';
import { LOCAL_OPS_ODS } from '../../local/identities.js';
import { httpApiEvent, lambdaContext } from '../../local/lambda-events.js';
import { testDependencies } from '../support/in-memory.js';
import { testNetwork } from '../support/networks.js';

/** A route's path with its parameters filled in. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'a1b2');

async function invoke(
  route: (typeof ROUTES)[number],
  options: { organisation?: string; roles?: Role[]; query?: string } = {},
) {
  const hub = testDependencies([testNetwork()]);
  const handlers = createHandlers(hub);
  const path = concrete(route.path);
  const token = options.organisation
    ? await hub.identity.issueUserToken({
        userId: 'tester',
        organisation: options.organisation,
        roles: options.roles ?? ['sender'],
      })
    : undefined;
  const event = httpApiEvent({
    method: route.method,
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: token ? { authorization: `Bearer ${token.access_token}` } : {},
    body: undefined,
    routeKey: routeKey(route),
    pathParameters: route.path.includes('{') ? { id: 'a1b2' } : {},
    sourceIp: '127.0.0.1',
  });
  return httpHandlerOf(handlers, route.handler)(event, lambdaContext(route.handler, 10));
}

describe('the routes table is the one place a route is declared', () => {
  it("builds every function's dispatch from it", () => {
    const hub = testDependencies([testNetwork()]);
    expect(() => createHandlers(hub)).not.toThrow();
  });

  it('refuses a dispatch that implements a route the table lacks, or lacks one it declares', () => {
    const hub = testDependencies([testNetwork()]);
    expect(() => httpHandler('mailbox', {}, hub)).toThrow(/missing: GET \/mailbox/);
    const extra = { 'GET /mailbox/{id}/secret': async () => ({ status: 200 }) };
    expect(() => httpHandler('directory', extra, hub)).toThrow(/not in ROUTES: GET \/mailbox\/\{id\}\/secret/);
  });

  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('the local server matches %s to its function', (_, route) => {
    const matched = matchRoute(route.method, concrete(route.path));
    expect(matched).toMatchObject({ route: { routeKey: routeKey(route), handler: route.handler } });
  });

  it.each(ROUTES.filter((r) => r.access !== 'public').map((r) => [routeKey(r), r] as const))(
    '%s refuses a caller without an access token (401)',
    async (_, route) => {
      const answer = await invoke(route);
      expect(answer.statusCode).toBe(401);
      expect(JSON.parse(answer.body!).issue[0].details.coding[0].code).toBe('SEND_UNAUTHORIZED');
    },
  );

  it.each(
    ROUTES.filter((r) => r.access !== 'public' && !r.access.includes('sender')).map((r) => [routeKey(r), r] as const),
  )('%s is refused to a practice system (403)', async (_, route) => {
    const answer = await invoke(route, { organisation: 'Z8T001' });
    expect(answer.statusCode).toBe(403);
  });

  it.each(ROUTES.map((r) => [routeKey(r), r] as const))(
    '%s refuses a query parameter it does not understand, naming it (400)',
    async (_, route) => {
      const roles = route.access === 'public' ? [] : [...route.access];
      const organisation = roles.includes('ops') ? LOCAL_OPS_ODS : 'Z8T001';
      const answer = await invoke(route, { organisation, roles, query: 'colour=blue' });
      expect(answer.statusCode).toBe(400);
      const outcome = JSON.parse(answer.body!);
      if (route.answers === 'oauth') {
        // The token endpoint refuses in OAuth's words (RFC 6749 §5.2).
        expect(outcome).toEqual({ error: 'invalid_request', error_description: expect.stringContaining("'colour'") });
        return;
      }
      expect(outcome.issue[0].expression).toEqual(['colour']);
      expect(outcome.issue[0].diagnostics).toContain("'colour'");
    },
  );
});
