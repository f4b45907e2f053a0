import type { Role } from '../../core/auth.js';
import { DIRECTORY_SEARCH_PARAMS, type FhirDirectory, RESULT_PARAMS } from '../../core/routing/directory-fhir.js';
import { TASK_SEARCH_PARAMS } from '../../core/services/tasks.js';

/**
 * The one definition of the hub's tables, queues, routes and functions, with their keys and settings.
 * infra/ builds the AWS resources from it, local/ creates the same tables and queues in dynalite and fauxqs, and
 * the Lambdas read the names from the environment variables named here.
 */

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}
export interface IndexDefinition {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Besides the keys (an empty list: the index holds keys only; records are read from the table). */
  projectedAttributes: string[];
}
export interface TableDefinition {
  id: string;
  envVar: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: IndexDefinition[];
  /** Attribute AWS deletes items by (retention); not run locally. */
  timeToLiveAttribute?: string;
}

export const MESSAGES_TABLE: TableDefinition = {
  id: 'Messages',
  envVar: 'MESSAGES_TABLE',
  partitionKey: { name: 'messageId', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  indexes: [
    {
      name: 'bySender',
      partitionKey: { name: 'senderOrganisation', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projectedAttributes: [],
    },
    // Every message about a patient, by a keyed hash of the NHS number (ops' search; no NHS number in clear).
    {
      name: 'byPatient',
      partitionKey: { name: 'patientKey', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projectedAttributes: [],
    },
    // Every message by the organisation it was delivered to (a receiver's list of what it has received).
    {
      name: 'byReceiver',
      partitionKey: { name: 'receiverOrganisation', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      // What a week's capacity of one service counts, without reading a record.
      projectedAttributes: ['serviceId'],
    },
    {
      name: 'byStatus',
      partitionKey: { name: 'status', type: 'S' },
      sortKey: { name: 'updatedAt', type: 'S' },
      projectedAttributes: [],
    },
    // A case: every message under one X-Correlation-Id (updates and cancellations follow the original).
    {
      name: 'byCorrelation',
      partitionKey: { name: 'correlationId', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projectedAttributes: [],
    },
    // Every message, spread over LISTING_SHARDS partitions so no single key takes every write (ops' listing).
    {
      name: 'byShard',
      partitionKey: { name: 'listShard', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projectedAttributes: [],
    },
    // Sparse: only messages the deadline sweep still watches (unanswered, unfinished, not yet escalated).
    {
      name: 'byDue',
      partitionKey: { name: 'dueShard', type: 'S' },
      sortKey: { name: 'dueAt', type: 'S' },
      projectedAttributes: [],
    },
    // Sparse: messages whose body is still held, by when it is to be removed (retention).
    {
      name: 'byBodyExpiry',
      partitionKey: { name: 'bodyShard', type: 'S' },
      sortKey: { name: 'bodyExpiresAt', type: 'S' },
      projectedAttributes: [],
    },
    // Sparse: messages escalated past their deadline (ops' overdue list).
    {
      name: 'byOverdue',
      partitionKey: { name: 'overdueShard', type: 'S' },
      sortKey: { name: 'overdueAt', type: 'S' },
      projectedAttributes: [],
    },
    // Sparse: care-home Tasks by the organisation that requested them, and by the one that owns them.
    {
      name: 'byTaskRequester',
      partitionKey: { name: 'taskRequester', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projectedAttributes: [],
    },
    {
      name: 'byTaskOwner',
      partitionKey: { name: 'taskOwner', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projectedAttributes: [],
    },
    // Sparse: every care-home Task, spread over the listing shards (ops' Tasks; the requester's and owner's above).
    {
      name: 'byTask',
      partitionKey: { name: 'taskShard', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projectedAttributes: [],
    },
    // Sparse: only messages waiting in a mailbox carry the attribute.
    {
      name: 'byMailbox',
      partitionKey: { name: 'mailbox', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projectedAttributes: [],
    },
  ],
};

/** Partitions of the byShard index: a listing of all messages reads each and merges them, newest first. */
export const LISTING_SHARDS = 4;

export const DIRECTORY_TABLE: TableDefinition = {
  id: 'Directory',
  envVar: 'DIRECTORY_TABLE',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [],
};

/** Registered clients, client assertions already used (until they lapse) and per-client request counts. */
export const IDENTITY_TABLE: TableDefinition = {
  id: 'Identity',
  envVar: 'IDENTITY_TABLE',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  indexes: [],
};

export const IDENTITY_KEYS = {
  client: (clientId: string) => ({ pk: `CLIENT#${clientId}`, sk: 'REGISTRATION' }),
  assertion: (clientId: string, jti: string) => ({ pk: `ASSERTION#${clientId}`, sk: jti }),
  requests: (subject: string, windowStart: string) => ({ pk: `REQUESTS#${subject}`, sk: windowStart }),
  signIn: (state: string) => ({ pk: `SIGN-IN#${state}`, sk: 'PENDING' }),
  session: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
} as const;

/**
 * What ops watch: the traffic counters, kept up to date from the Messages table's stream (one item per day, shard,
 * hour and dimension), and the hub's alerts.
 */
export const OPERATIONS_TABLE: TableDefinition = {
  id: 'Operations',
  envVar: 'OPERATIONS_TABLE',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  indexes: [],
};

export const OPERATIONS_KEYS = {
  /** A day's counters in one shard; the sort key starts with the hour, so a range of hours is one query. */
  traffic: (day: string, shard: number) => `TRAFFIC#${day}#${shard}`,
  alerts: 'ALERT',
  /** Things done once (a team's daily digest): one item each, gone after ONCE_MARK_DAYS. */
  once: 'ONCE',
} as const;

/** How long a done-once mark is kept (a day's digest needs it for that day only). */
export const ONCE_MARK_DAYS = 3;

/** How long traffic counters are kept (the console reads at most a month; a year allows comparisons). */
export const TRAFFIC_RETENTION_DAYS = 400;

export const TABLES = [MESSAGES_TABLE, DIRECTORY_TABLE, IDENTITY_TABLE, OPERATIONS_TABLE] as const;

/** Directory item keys: one item per network definition, one membership item per organisation and network. */
export const DIRECTORY_KEYS = {
  network: (networkId: string) => ({ pk: `NETWORK#${networkId}`, sk: 'DEFINITION' }),
  membership: (odsCode: string, networkId: string) => ({ pk: `ORG#${odsCode}`, sk: `NETWORK#${networkId}` }),
  membershipsOf: (odsCode: string) => `ORG#${odsCode}`,
  revision: { pk: 'DIRECTORY', sk: 'REVISION' },
  networkPrefix: 'NETWORK#',
  /** A receiving team's say over one service's intake, under its network. */
  availability: (networkId: string, serviceId: string) => ({ pk: `AVAILABILITY#${networkId}`, sk: serviceId }),
  availabilityOf: (networkId: string) => `AVAILABILITY#${networkId}`,
  availabilityPrefix: 'AVAILABILITY#',
} as const;

export interface QueueDefinition {
  id: string;
  envVar: string;
  /** How long a record is hidden while a worker has it; above the worker's timeout so no record is handled twice at once. */
  visibilityTimeoutSeconds: number;
  /** Receives before a record goes to the dead-letter queue; above the delivery policy's attempts, so the policy decides. */
  maxReceiveCount: number;
  /** How long the dead-letter queue keeps a record (the SQS maximum). */
  deadLetterRetentionSeconds: number;
  /** The dead-letter queue's own consumer: how long it hides a record, and receives before the record is parked. */
  deadLetterVisibilityTimeoutSeconds: number;
  deadLetterMaxReceiveCount: number;
}

export const DELIVERY_QUEUE: QueueDefinition = {
  id: 'Delivery',
  envVar: 'DELIVERY_QUEUE_URL',
  // AWS: at least 6x the consumer's timeout (the deliver worker's 60 s), so a batch retried after a throttled
  // invocation is not seen again while still in hand (Lambda's SQS event source guidance).
  visibilityTimeoutSeconds: 360,
  maxReceiveCount: 12, // the delivery policy's 8 attempts + 4 for worker crashes
  deadLetterRetentionSeconds: 14 * 24 * 3600,
  deadLetterVisibilityTimeoutSeconds: 180, // 6x the dead-letter worker's 30 s
  deadLetterMaxReceiveCount: 5, // then parked for ops, never lost: the record is failed and its sender told first
};

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

/** What a function may touch (least privilege); infra/ grants exactly this and nothing else. */
export interface FunctionAccess {
  messages?: 'read' | 'read-write';
  /** 'read-write': a receiving team's availability (the routing tables are loaded by the network CLI only). */
  directory?: 'read' | 'read-write';
  /** Send to the delivery queue. */
  enqueue?: boolean;
  /** The Identity table: client registrations, used assertions, request counts (API functions count requests). */
  identity?: 'count' | 'read-write';
  /** The hub's token key: 'sign' issues tokens (the token endpoint), 'verify' reads its public half. */
  tokens?: 'sign' | 'verify';
  /** The Operations table: traffic counters and alerts ('read' for the console's API). */
  operations?: 'read' | 'read-write';
  /** Read the Messages table's stream (the traffic counters' source). */
  messageStream?: boolean;
  /** Read the delivery queue's depth (the console's overview). */
  queueDepth?: boolean;
}

export interface FunctionDefinition {
  entry: string;
  access: FunctionAccess;
  /** MB */
  memorySize: number;
  timeoutSeconds: number;
  description: string;
  /** What invokes it: the API (synchronous), a queue or the Messages stream (their own DLQs), or a schedule. */
  invokedBy: 'api' | 'queue' | 'stream' | 'schedule';
  /**
   * Instances kept for this queue or stream consumer alone: it can always drain its queue however busy the API is,
   * and never takes more (deploying needs an account concurrency of 100 plus their sum).
   */
  reservedConcurrency?: number;
}

/** What every API function needs for its callers: the token key's public half, and the per-client request counts. */
const API_CALLER: FunctionAccess = { tokens: 'verify', identity: 'count' };

export const FUNCTIONS: Record<HandlerName, FunctionDefinition> = {
  identity: {
    entry: 'functions/identity/handler.ts',
    invokedBy: 'api',
    access: { identity: 'read-write', tokens: 'sign' },
    memorySize: 512,
    timeoutSeconds: 10,
    description: 'OAuth 2.0 token endpoint (signed client assertions) and the hub token keys',
  },
  ingest: {
    entry: 'functions/ingest/handler.ts',
    invokedBy: 'api',
    access: { messages: 'read-write', directory: 'read', enqueue: true, ...API_CALLER },
    memorySize: 1024,
    timeoutSeconds: 29,
    description: '$process-message: validate, route, store, enqueue',
  },
  directory: {
    entry: 'functions/directory/handler.ts',
    invokedBy: 'api',
    access: { directory: 'read-write', messages: 'read', enqueue: true, ...API_CALLER },
    memorySize: 512,
    timeoutSeconds: 10,
    description: "metadata, the FHIR directory, and receiving teams' availability of their services",
  },
  mailbox: {
    entry: 'functions/mailbox/handler.ts',
    invokedBy: 'api',
    access: { messages: 'read-write', directory: 'read', ...API_CALLER },
    memorySize: 512,
    timeoutSeconds: 10,
    description: 'receivers pull and acknowledge their messages',
  },
  messages: {
    entry: 'functions/messages/handler.ts',
    invokedBy: 'api',
    access: {
      messages: 'read-write',
      directory: 'read',
      enqueue: true,
      operations: 'read',
      queueDepth: true,
      ...API_CALLER,
    },
    memorySize: 512,
    timeoutSeconds: 10,
    description: "message status, timelines, replay; ops' overview, outcomes and alerts",
  },
  tasks: {
    entry: 'functions/tasks/handler.ts',
    invokedBy: 'api',
    access: { messages: 'read', directory: 'read', ...API_CALLER },
    memorySize: 512,
    timeoutSeconds: 10,
    description: 'care-home Tasks as FHIR: search and read',
  },
  deliver: {
    entry: 'functions/deliver/handler.ts',
    invokedBy: 'queue',
    access: { messages: 'read-write', directory: 'read', enqueue: true },
    memorySize: 512,
    timeoutSeconds: 60,
    description: 'SQS consumer: push or place in mailbox, retry, fail',
    reservedConcurrency: 20, // as many as the SQS event source may run (DELIVERY_MAX_CONCURRENCY)
  },
  deadLetter: {
    entry: 'functions/dead-letter/handler.ts',
    invokedBy: 'queue',
    access: { messages: 'read-write', directory: 'read', enqueue: true },
    memorySize: 256,
    timeoutSeconds: 30,
    description: 'DLQ consumer: mark failed, tell the sender',
    reservedConcurrency: 2, // the DLQ is a trickle; two keep it drained if one is slow
  },
  sweep: {
    entry: 'functions/sweep/handler.ts',
    invokedBy: 'schedule',
    access: { messages: 'read-write', enqueue: true },
    memorySize: 256,
    timeoutSeconds: 120,
    description: 'scheduled: re-enqueue messages that stopped moving',
    reservedConcurrency: 1, // one sweep at a time: one that overruns its interval is never joined by a second
  },
  deadlines: {
    entry: 'functions/deadlines/handler.ts',
    invokedBy: 'schedule',
    access: { messages: 'read-write', directory: 'read', enqueue: true, operations: 'read-write', queueDepth: true },
    memorySize: 256,
    timeoutSeconds: 120,
    description: "scheduled: escalate overdue Tasks and unanswered referrals; raise and clear ops' alerts",
    reservedConcurrency: 1, // one sweep at a time, so an escalation is never raised twice by overlapping runs
  },
  traffic: {
    entry: 'functions/traffic/handler.ts',
    invokedBy: 'stream',
    access: { operations: 'read-write', messageStream: true },
    memorySize: 256,
    timeoutSeconds: 60,
    description: "Messages stream consumer: keeps ops' traffic counters",
    reservedConcurrency: 2, // one per stream shard of the Messages table's typical size
  },
};

/** Stream records per traffic invocation, and how long the stream gathers them: fewer, merged counter writes. */
export const TRAFFIC_BATCH_SIZE = 500;
export const TRAFFIC_BATCH_WINDOW_SECONDS = 10;

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
const search = (type: keyof FhirDirectory): RouteDefinition => ({
  method: 'GET',
  path: `/${type}`,
  handler: 'directory',
  access: MEMBERS,
  query: [...Object.keys(DIRECTORY_SEARCH_PARAMS[type]), ...RESULT_PARAMS],
});
const read = (path: string): RouteDefinition => ({
  method: 'GET',
  path,
  handler: 'directory',
  access: MEMBERS,
  query: ['_format'],
});

/**
 * The API: the one place a route is declared. The handlers' dispatch, the local HTTP server, the API Gateway
 * routes and the CapabilityStatement's search parameters are all built from it (test/unit/routes.test.ts checks).
 */
export const ROUTES: readonly RouteDefinition[] = [
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
];

/** Where the web app is served: by `npm start` locally, by CloudFront from S3 on AWS. */
export const WEB_APP_PATH = '/app';

/** Everything the page may load comes from the hub itself: no CDN, no inline script, not framed elsewhere. */
export const WEB_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it the browser sends `Origin: null`, and the hub could not tell its own pages' changes.
  'referrer-policy': 'same-origin',
} as const;

/** The API Gateway route key of a route: "METHOD /path". */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** How often the deadline sweep looks for overdue Tasks and unanswered referrals. */
export const DEADLINE_SWEEP_MINUTES = 5;

/**
 * How long a delivery claim holds: past the deliver function's timeout (60 s), so a claim older than this belongs
 * to a worker that died; below the queue's visibility timeout, so the redelivered record finds it stale.
 */
export const DELIVERY_CLAIM_LEASE_SECONDS = 75;

/** Every sweep: how often, and how long a pending message may stand still before it is re-enqueued. */
export const SWEEP_INTERVAL_MINUTES = 5;
export const SWEEP_STUCK_AFTER_SECONDS = 45 * 60; // above the longest retry delay (30 min) + visibility timeout

/** Other environment variables of the Lambdas (read in functions/lib/aws-hub.ts only). */
export const ENV = {
  hubBaseUrl: 'HUB_BASE_URL',
  hubOdsCode: 'HUB_ODS_CODE',
  opsOrganisations: 'HUB_OPS_ORGANISATIONS',
  deliveryBaseDelaySeconds: 'DELIVERY_BASE_DELAY_SECONDS',
  deliveryMaxAttempts: 'DELIVERY_MAX_ATTEMPTS',
  deliveryMaxDelaySeconds: 'DELIVERY_MAX_DELAY_SECONDS',
  pushTimeoutMs: 'PUSH_TIMEOUT_MS',
  directoryRefreshSeconds: 'DIRECTORY_REFRESH_SECONDS',
  /** The ARNs of the secrets: their values are read at run time, by the functions granted them. */
  cursorKeySecret: 'HUB_CURSOR_KEY_SECRET_ARN',
  /** The secret the NHS-number search index is keyed with (HMAC): one per deployment, never rotated lightly. */
  searchKeySecret: 'HUB_SEARCH_KEY_SECRET_ARN',
  /** The secret CloudFront sends the API with every request (the API functions refuse a request without it). */
  originSecret: 'HUB_ORIGIN_SECRET_ARN',
  /** The address teams' emails come from (an SES identity); absent: the hub sends no email. */
  mailFrom: 'HUB_MAIL_FROM',
  /** The asymmetric KMS key the hub signs its access tokens with. */
  tokenKeyId: 'HUB_TOKEN_KEY_ID',
  /** People's sign-in: the OpenID Connect provider (Cognito's user pool, or e.g. NHS CIS2) and the hub's client. */
  oidcIssuer: 'OIDC_ISSUER',
  oidcClientId: 'OIDC_CLIENT_ID',
  oidcScopes: 'OIDC_SCOPES',
  oidcOrganisationClaim: 'OIDC_ORGANISATION_CLAIM',
  oidcRolesClaim: 'OIDC_ROLES_CLAIM',
} as const;
