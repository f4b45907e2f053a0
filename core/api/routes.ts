import type { Role } from '../auth.js';
import { DIRECTORY_SEARCH_PARAMS, type FhirDirectory, RESULT_PARAMS } from '../routing/directory-fhir.js';
import { TASK_SEARCH_PARAMS } from '../services/tasks.js';

/**
 * The API's contract: every route with who may call it and the query parameters it understands. The handlers'
 * dispatch, the local HTTP server, the API Gateway routes, the CapabilityStatement's search parameters and the web
 * app's requests are all built from it or checked against it (test/unit/routes.test.ts).
 */

/** The function (the Lambda) that answers a route, or reads a queue, stream or schedule. */
export type HandlerName =
  | 'identity'
  | 'ingest'
  | 'directory'
  | 'mailbox'
  | 'messages'
  | 'tasks'
  | 'deliver'
  | 'deadLetter'
  | 'sweep'
  | 'deadlines'
  | 'traffic';

/**
 * Who may call a route: anyone ('public': metadata, the token endpoint and its keys, sign-in), or a caller holding
 * one of the roles (each then sees only its own organisation's work, ops every organisation's).
 */
export type RouteAccess = 'public' | readonly Role[];

/** Every role: any registered caller. */
const MEMBERS: readonly Role[] = ['sender', 'receiver', 'ops'];
/** The parties of a message: practices send and read their answers; receivers read and answer their mailbox. */
const PARTIES: readonly Role[] = ['sender', 'receiver'];

export interface RouteDefinition {
  method: 'GET' | 'POST';
  /** API Gateway HTTP API path: literal segments, {name} for one segment. */
  path: string;
  handler: HandlerName;
  access: RouteAccess;
  /** The query parameters the route understands; any other is refused with 400 naming it. */
  query: readonly string[];
  /** 'oauth': every refusal is OAuth 2.0's JSON (RFC 6749 §5.2: error, error_description), not a FHIR OperationOutcome. */
  answers?: 'oauth';
}

// The directory names receivers' addresses: only identified organisations read it (only /metadata is public).
const search = <T extends keyof FhirDirectory>(type: T) => ({
  method: 'GET' as const,
  path: `/${type}` as `/${T}`,
  handler: 'directory' as const,
  access: MEMBERS,
  query: [...Object.keys(DIRECTORY_SEARCH_PARAMS[type]), ...RESULT_PARAMS] as readonly string[],
});
const read = <P extends string>(path: P) => ({
  method: 'GET' as const,
  path,
  handler: 'directory' as const,
  access: MEMBERS,
  query: ['_format'] as const,
});

/**
 * The API: the one place a route is declared. The handlers' dispatch, the local HTTP server, the API Gateway
 * routes and the CapabilityStatement's search parameters are all built from it (test/unit/routes.test.ts checks);
 * the web app builds its requests' paths and query parameters from its types (RouteKey, QueryOf, PathParamsOf).
 */
const ROUTE_TABLE = [
  { method: 'POST', path: '/$process-message', handler: 'ingest', access: PARTIES, query: [] },
  { method: 'GET', path: '/metadata', handler: 'directory', access: 'public', query: ['_format'] },
  { method: 'POST', path: '/oauth2/token', handler: 'identity', access: 'public', query: [], answers: 'oauth' },
  { method: 'GET', path: '/.well-known/jwks.json', handler: 'identity', access: 'public', query: [] },
  { method: 'GET', path: '/.well-known/openid-configuration', handler: 'identity', access: 'public', query: [] },
  { method: 'GET', path: '/auth/login', handler: 'identity', access: 'public', query: ['return_to'] },
  {
    method: 'GET',
    path: '/auth/callback',
    handler: 'identity',
    access: 'public',
    query: ['code', 'state', 'iss', 'error', 'error_description', 'session_state'],
  },
  { method: 'POST', path: '/auth/logout', handler: 'identity', access: 'public', query: [] },
  { method: 'GET', path: '/auth/session', handler: 'identity', access: MEMBERS, query: [] },
  search('Organization'),
  read('/Organization/{id}'),
  search('HealthcareService'),
  read('/HealthcareService/{id}'),
  search('Endpoint'),
  read('/Endpoint/{id}'),
  {
    method: 'GET',
    path: '/routing/$explain',
    handler: 'directory',
    access: ['ops'],
    query: ['practice', 'category', 'postcode', 'urgency'],
  },
  { method: 'POST', path: '/routing/$diff', handler: 'directory', access: ['ops'], query: [] },
  { method: 'GET', path: '/routing/networks', handler: 'directory', access: ['ops'], query: [] },
  {
    method: 'POST',
    path: '/HealthcareService/{id}/$availability',
    handler: 'directory',
    access: ['receiver', 'ops'],
    query: [],
  },
  {
    method: 'GET',
    path: '/HealthcareService/{id}/$availability',
    handler: 'directory',
    access: ['receiver', 'ops'],
    query: [],
  },
  { method: 'GET', path: '/mailbox', handler: 'mailbox', access: PARTIES, query: ['cursor', '_count'] },
  { method: 'GET', path: '/mailbox/{id}', handler: 'mailbox', access: PARTIES, query: [] },
  { method: 'POST', path: '/mailbox/{id}/$acknowledge', handler: 'mailbox', access: PARTIES, query: [] },
  {
    method: 'GET',
    path: '/messages',
    handler: 'messages',
    access: MEMBERS,
    query: [
      'status',
      'overdue',
      'box',
      'case',
      'cursor',
      '_count',
      'sender',
      'destination',
      'service',
      'since',
      'until',
    ],
  },
  // NHS numbers never travel in a URL (proxies and CloudFront log URLs): a search by patient has a body.
  { method: 'POST', path: '/messages/$search', handler: 'messages', access: MEMBERS, query: [] },
  { method: 'GET', path: '/messages/{id}', handler: 'messages', access: MEMBERS, query: [] },
  { method: 'GET', path: '/ServiceRequest/{id}', handler: 'messages', access: MEMBERS, query: ['_format'] },
  { method: 'GET', path: '/MessageDefinition', handler: 'directory', access: MEMBERS, query: ['_format'] },
  { method: 'POST', path: '/messages/{id}/$replay', handler: 'messages', access: ['ops'], query: [] },
  { method: 'POST', path: '/messages/$replay', handler: 'messages', access: ['ops'], query: [] },
  { method: 'POST', path: '/messages/{id}/$resend', handler: 'messages', access: ['ops'], query: [] },
  { method: 'POST', path: '/messages/{id}/$withdraw', handler: 'messages', access: ['ops'], query: [] },
  { method: 'GET', path: '/messages/{id}/$patient', handler: 'messages', access: ['ops'], query: [] },
  { method: 'GET', path: '/messages/{id}/$content', handler: 'messages', access: ['ops'], query: [] },
  { method: 'GET', path: '/receivers/$health', handler: 'messages', access: ['ops'], query: [] },
  { method: 'GET', path: '/ops/overview', handler: 'messages', access: ['ops'], query: ['from', 'to'] },
  { method: 'GET', path: '/ops/outcomes', handler: 'messages', access: ['ops'], query: ['from', 'to', 'format'] },
  { method: 'GET', path: '/ops/alerts', handler: 'messages', access: ['ops'], query: ['cursor', '_count'] },
  { method: 'POST', path: '/ops/alerts/$acknowledge', handler: 'messages', access: ['ops'], query: [] },
  { method: 'POST', path: '/messages/{id}/$forward', handler: 'messages', access: ['receiver'], query: [] },
  { method: 'GET', path: '/Task', handler: 'tasks', access: MEMBERS, query: TASK_SEARCH_PARAMS },
  { method: 'GET', path: '/Task/{id}', handler: 'tasks', access: MEMBERS, query: ['_format'] },
] as const satisfies readonly RouteDefinition[];

export const ROUTES: readonly RouteDefinition[] = ROUTE_TABLE;

type Route = (typeof ROUTE_TABLE)[number];
/** A route's key, "METHOD /path", as API Gateway and the handlers' dispatch name it. */
export type RouteKey = Route extends infer R ? (R extends Route ? `${R['method']} ${R['path']}` : never) : never;
type RouteOf<K extends RouteKey> = Route extends infer R
  ? R extends Route
    ? `${R['method']} ${R['path']}` extends K
      ? R
      : never
    : never
  : never;
/** The query parameters a route understands (any string for the directory's searches, which take many). */
export type QueryOf<K extends RouteKey> = RouteOf<K>['query'][number];
type ParamsIn<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamsIn<Rest> : never;
/** The names of a route's path parameters ({id}). */
export type PathParamsOf<K extends RouteKey> = ParamsIn<RouteOf<K>['path']>;

/** The API Gateway route key of a route: "METHOD /path". */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;
