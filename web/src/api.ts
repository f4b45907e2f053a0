import type { PathParamsOf, QueryOf, RouteKey } from '../../core/api/routes';
/** The hub's API, called as any integrator calls it: same origin, the browser session's cookie, JSON or FHIR. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What an OperationOutcome says, in its own words (the hub's diagnostics are written for people). */
function problemOf(body: unknown, status: number): string {
  const issues = (body as { issue?: { diagnostics?: string }[] } | undefined)?.issue;
  const said = issues?.map((i) => i.diagnostics).filter(Boolean);
  return said?.length ? said.join(' ') : `The hub answered ${status}`;
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...init.headers },
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) throw new ApiError(response.status, problemOf(body, response.status));
  return body as T;
}

/** A value of a query parameter: absent and empty ones are left out. */
type QueryValue = string | number | boolean | undefined;

/**
 * The path of a request to a route of the hub's contract (core/api/routes.ts): its path parameters filled in and
 * its query parameters appended, each checked at compile time against what the route understands.
 */
export function apiPath<K extends RouteKey>(
  key: K,
  values: Record<PathParamsOf<K>, string> & Partial<Record<QueryOf<K>, QueryValue>>,
): string {
  const given = { ...(values as Record<string, QueryValue>) };
  const path = key.slice(key.indexOf(' ') + 1).replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = String(given[name]);
    delete given[name];
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams(
    Object.entries(given).flatMap(([name, value]) =>
      value === undefined || value === '' ? [] : [[name, String(value)]],
    ),
  ).toString();
  return query ? `${path}?${query}` : path;
}
