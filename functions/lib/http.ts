import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type HandlerName, ROUTES, type RouteDefinition, routeKey } from '../../core/api/routes.js';
import { ANONYMOUS, type Caller, requireRole } from '../../core/auth.js';
import {
  BadRequestError,
  ForbiddenError,
  issue,
  NotAcceptableError,
  NotFoundError,
  PayloadTooLargeError,
  TooEarlyError,
  TooManyRequestsError,
  UnsupportedMediaTypeError,
} from '../../core/errors.js';
import { errorAnswer } from '../../core/fhir/operation-outcome.js';
import { FHIR_ID, FHIR_JSON, HEADERS } from '../../core/fhir/systems.js';
import type { Hub } from '../../core/hub.js';
import { identifyCaller } from '../../core/identity/caller.js';
import type { TokenSubject } from '../../core/identity/tokens.js';
import { refuseDeepJson } from '../../core/json-guard.js';

/** Largest request body the hub reads (a referral with attachments by reference is tens of KB). */
export const MAX_BODY_BYTES = 1_000_000;

/**
 * On every answer of the API: never stored by a browser or a proxy (most carry someone's referrals or patient), and
 * no browser feature a page of the hub's could be tricked into using. An operation may still set its own caching
 * (the public key set is cacheable).
 */
export const API_ANSWER_HEADERS = {
  'Cache-Control': 'no-store',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a route handler sees: a request already through the pipeline (headers lower-cased, caller identified). */
export interface HubRequest {
  routeKey: string;
  path: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  rawBody: string | undefined;
  caller: Caller;
}

export interface HubResponse {
  status: number;
  body?: unknown;
  /** A body sent as it is (CSV, say), instead of `body` as JSON. */
  text?: string;
  headers?: Record<string, string>;
  /** Set-Cookie values (API Gateway's `cookies`: a response may set several). */
  cookies?: string[];
  contentType?: string;
}

export type Operation = (request: HubRequest) => Promise<HubResponse>;
/** A function's operations by route key: exactly the routes ROUTES gives that function. */
export type Operations = Record<string, Operation>;

/** The routes of one function, from the routes table; refuses at construction a dispatch that disagrees with it. */
function routesOf(name: HandlerName, operations: Operations): Map<string, RouteDefinition> {
  const declared = new Map(ROUTES.filter((r) => r.handler === name).map((r) => [routeKey(r), r]));
  const implemented = Object.keys(operations);
  const missing = [...declared.keys()].filter((key) => !implemented.includes(key));
  const undeclared = implemented.filter((key) => !declared.has(key));
  if (missing.length || undeclared.length) {
    throw new Error(`${name}: routes table and dispatch disagree (missing: ${missing}; not in ROUTES: ${undeclared})`);
  }
  return declared;
}

/**
 * The route's access rule, before its operation runs: each refusal a 401 or 403 OperationOutcome. The caller must
 * hold one of the route's roles, and its organisation must still be registered: a member of a network the hub
 * serves (a practice or a partner), or hub ops. Then the request counts against the caller's rate (429 over it).
 */
async function authorise(route: RouteDefinition, request: HubRequest, hub: Hub, token?: TokenSubject): Promise<void> {
  if (route.access === 'public') return;
  const { caller } = request;
  requireRole(caller, route.access, routeKey(route));
  const organisation = caller.organisation!;
  if (!caller.ops && !(await hub.directory.networkOfOrganisation(organisation))) {
    throw new ForbiddenError('Not registered', [
      issue('forbidden', `Organisation ${organisation} is not registered with the hub (no network it serves lists it)`),
    ]);
  }
  const retryAfter = token && (await hub.throttling.throttle(token));
  if (retryAfter) throw new TooManyRequestsError(retryAfter);
}

/**
 * A browser session's cookie rides along with any request the browser makes, even one another site's page makes
 * it send: a change made with the cookie must come from the hub's own pages (Origin, or the browser's
 * Sec-Fetch-Site), not another site's.
 */
/**
 * A change made with the browser session must come from the hub's own pages: the browser's Origin, when it sends
 * one, is the hub's, and its Sec-Fetch-Site, when it sends one, is same-origin. Both are checked, and one at least
 * must be there (every browser the hub supports sends them); a request with neither is not from a page.
 */
export function refuseCrossSite(headers: Record<string, string | undefined>, hubBaseUrl: string): void {
  const origin = headers.origin;
  const site = headers['sec-fetch-site'];
  const sameOrigin =
    (origin !== undefined || site !== undefined) &&
    (origin === undefined || origin === new URL(hubBaseUrl).origin) &&
    (site === undefined || site === 'same-origin');
  if (sameOrigin) return;
  throw new ForbiddenError('Cross-site request', [
    issue('forbidden', "A change made with the browser session must come from the hub's own pages", 'Origin'),
  ]);
}

function refuseUnknownQuery(route: RouteDefinition, query: Record<string, string>): void {
  const unknown = Object.keys(query).filter((name) => !route.query.includes(name));
  if (unknown.length === 0) return;
  const known = route.query.length ? `; it understands ${route.query.join(', ')}` : '; it takes none';
  throw new BadRequestError(
    'Unknown query parameter',
    unknown.map((name) =>
      issue('not-supported', `Query parameter '${name}' is not understood by ${routeKey(route)}${known}`, name),
    ),
  );
}

/** Every id in a path is a FHIR id (message ids are Bundle.ids): anything else is refused before any lookup. */
function refuseMalformedIds(path: Record<string, string>): void {
  const bad = Object.entries(path).filter(([, value]) => !FHIR_ID.test(value));
  if (bad.length === 0) return;
  throw new BadRequestError(
    'Malformed id',
    bad.map(([name]) =>
      issue('value', `The ${name} in the path must be a FHIR id: 1 to 64 letters, digits, '-' or '.'`, name),
    ),
  );
}

/**
 * The HTTP pipeline every API Lambda shares (middy): find the route in the routes table, identify the caller (the
 * authentication seam) and apply the route's access rule, refuse unknown query parameters, dispatch, and turn every
 * error into a FHIR OperationOutcome with BaRS codes. X-Request-Id and X-Correlation-Id are echoed on every answer.
 */
export function httpHandler(name: HandlerName, operations: Operations, hub: Hub) {
  const routes = routesOf(name, operations);
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>().handler(async (event) => {
    const headers = lowerCaseHeaders(event.headers);
    const echo = echoHeaders(headers);
    // The access log names the caller (client or user, and organisation), never the patient.
    const who: Who = {};
    try {
      const route = routes.get(event.routeKey);
      const operation = operations[event.routeKey];
      if (!route || !operation)
        throw new NotFoundError('No route', [
          issue('not-supported', `${event.routeKey} is not an operation of this hub`),
        ]);
      const request = await receive(event, route, headers, hub, who);
      const response = await operation(request);
      hub.log.info('request', { routeKey: event.routeKey, status: response.status, ...who });
      return answered(response, echo);
    } catch (error) {
      return refused(error, event.routeKey, routes.get(event.routeKey), echo, who, hub);
    }
  });
}

/** Who made a request, for the access log: known once the caller is identified. */
type Who = { caller?: string; organisation?: string };

/** The request as an operation reads it, once its size, nesting, caller, access, query and ids have passed. */
async function receive(
  event: APIGatewayProxyEventV2,
  route: RouteDefinition,
  headers: Record<string, string | undefined>,
  hub: Hub,
  who: Who,
): Promise<HubRequest> {
  const rawBody =
    event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  // Every route: the hub's size limit, and no JSON nested deeper than any body the hub reads, before anything
  // (identity included) reads the body.
  if (rawBody !== undefined && Buffer.byteLength(rawBody) > MAX_BODY_BYTES)
    throw new PayloadTooLargeError('Too large', [
      issue('too-long', `The body is over the hub's limit of ${MAX_BODY_BYTES} bytes`),
    ]);
  refuseDeepJson(rawBody);
  // Public routes (metadata, the token endpoint and its keys) need no identity, and read none.
  const { caller, token, fromCookie } =
    route.access === 'public' ? { caller: ANONYMOUS } : await identifyCaller(headers, hub.identity);
  if (fromCookie && event.requestContext.http.method !== 'GET') refuseCrossSite(headers, hub.self.baseUrl);
  const request: HubRequest = {
    routeKey: event.routeKey,
    path: (event.pathParameters ?? {}) as Record<string, string>,
    query: (event.queryStringParameters ?? {}) as Record<string, string>,
    headers,
    rawBody,
    caller,
  };
  if (caller.subject) Object.assign(who, { caller: caller.subject, organisation: caller.organisation });
  await authorise(route, request, hub, token);
  refuseUnknownQuery(route, request.query);
  refuseMalformedIds(request.path);
  return request;
}

/** An operation's answer as API Gateway sends it. */
function answered(response: HubResponse, echo: Record<string, string>): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: {
      'content-type': response.contentType ?? FHIR_JSON,
      ...API_ANSWER_HEADERS,
      ...echo,
      ...response.headers,
    },
    ...(response.cookies ? { cookies: response.cookies } : {}),
    ...(response.text !== undefined
      ? { body: response.text }
      : response.body === undefined
        ? {}
        : { body: JSON.stringify(response.body) }),
  };
}

/** Any error as its answer: a FHIR OperationOutcome with its BaRS code (OAuth's JSON on the token endpoint), logged. */
function refused(
  error: unknown,
  routeKey: string,
  route: RouteDefinition | undefined,
  echo: Record<string, string>,
  who: Who,
  hub: Hub,
): APIGatewayProxyStructuredResultV2 {
  const answer = errorAnswer(error);
  if (answer.status >= 500)
    hub.log.error('request failed', {
      routeKey,
      ...who,
      error: (error as Error).message,
      stack: (error as Error).stack,
    });
  else {
    hub.log.info('request refused', { routeKey, status: answer.status, ...who });
    // Every refusal is counted, on every route; refused identities apart, for the unauthorised-burst alarm.
    hub.metric('RequestRefused');
    if (answer.status === 401 || answer.status === 403) hub.metric('Unauthorised');
  }
  if (route?.answers === 'oauth') {
    // RFC 6749 §5.2: the token endpoint refuses in OAuth's words, whatever refused the request.
    const description = answer.outcome.issue[0]?.diagnostics ?? 'The request was refused';
    return {
      statusCode: answer.status,
      headers: { 'content-type': 'application/json', 'Cache-Control': 'no-store', ...echo },
      body: JSON.stringify({
        error: answer.status >= 500 ? 'server_error' : 'invalid_request',
        error_description: description,
      }),
    };
  }
  return {
    statusCode: answer.status,
    headers: {
      'content-type': FHIR_JSON,
      ...API_ANSWER_HEADERS,
      ...echo,
      ...(error instanceof TooManyRequestsError || error instanceof TooEarlyError
        ? { 'Retry-After': String(error.retryAfterSeconds) }
        : {}),
    },
    body: JSON.stringify(answer.outcome),
  };
}

function lowerCaseHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function echoHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const echo: Record<string, string> = {};
  if (headers[HEADERS.requestId]) echo['X-Request-Id'] = headers[HEADERS.requestId]!;
  if (headers[HEADERS.correlationId]) echo['X-Correlation-Id'] = headers[HEADERS.correlationId]!;
  return echo;
}

/** BaRS: X-Request-Id and X-Correlation-Id are required GUIDs. */
export function requireBarsIds(headers: Record<string, string | undefined>): {
  requestId: string;
  correlationId: string;
} {
  const problems = [HEADERS.requestId, HEADERS.correlationId].flatMap((name) => {
    const value = headers[name];
    const display = name === HEADERS.requestId ? 'X-Request-Id' : 'X-Correlation-Id';
    if (!value) return [issue('required', `The ${display} header is required`, display)];
    if (!UUID.test(value)) return [issue('value', `The ${display} header must be a GUID`, display)];
    return [];
  });
  if (problems.length > 0) throw new BadRequestError('BaRS headers', problems);
  return { requestId: headers[HEADERS.requestId]!, correlationId: headers[HEADERS.correlationId]! };
}

/** Content negotiation and parsing of a FHIR JSON body, each failure a precise 4xx. */
export function parseFhirBody(request: HubRequest): unknown {
  const accept = request.headers.accept;
  if (accept && !/(application\/(fhir\+)?json|\*\/\*|application\/\*)/i.test(accept)) {
    throw new NotAcceptableError('Not acceptable', [
      issue('not-supported', `The hub answers in ${FHIR_JSON}; Accept was '${accept}'`, 'Accept'),
    ]);
  }
  const contentType = request.headers['content-type'];
  if (contentType && !/^application\/(fhir\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('Unsupported media type', [
      issue('not-supported', `Send ${FHIR_JSON}; Content-Type was '${contentType}'`, 'Content-Type'),
    ]);
  }
  const body = request.rawBody;
  if (!body?.trim())
    throw new BadRequestError('Empty body', [
      issue('required', 'The request has no body: send a FHIR Bundle of type message'),
    ]);
  if (Buffer.byteLength(body) > MAX_BODY_BYTES)
    throw new PayloadTooLargeError('Too large', [
      issue('too-long', `The body is over the hub's limit of ${MAX_BODY_BYTES} bytes`),
    ]);
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new BadRequestError('Not JSON', [
      issue('structure', `The body is not valid JSON: ${(error as Error).message}`),
    ]);
  }
}

/** A JSON object body (an operation's parameters), or 400 saying what to send. */
export function jsonObjectBody(rawBody: string | undefined, shape: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(rawBody ?? '') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new BadRequestError('Bad request body', [issue('invalid', `The body must be JSON ${shape}`)]);
}

/** Decodes NHSD-Target-Identifier: Base64 JSON {"system": ..., "value": ...}. */
export function targetIdentifier(
  headers: Record<string, string | undefined>,
): { system: string; value: string } | undefined {
  const encoded = headers[HEADERS.targetIdentifier];
  if (!encoded) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { system?: unknown; value?: unknown };
    if (typeof parsed.system === 'string' && typeof parsed.value === 'string')
      return { system: parsed.system, value: parsed.value };
  } catch {
    // reported below
  }
  throw new BadRequestError('Bad NHSD-Target-Identifier', [
    issue(
      'invalid',
      'NHSD-Target-Identifier must be Base64-encoded JSON with system and value',
      'NHSD-Target-Identifier',
    ),
  ]);
}
