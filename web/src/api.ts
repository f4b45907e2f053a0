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
