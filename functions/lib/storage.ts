/**
 * The one definition of the hub's tables and queues, with their keys and settings. infra/ builds the AWS resources
 * from it, local/ creates the same tables and queues in dynalite and fauxqs, and the adapters key their items by it.
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

/**
 * Each message's Bundle, apart from its record: written once when the message is stored, so the record's many
 * writes (each status change, each answer) cost its own size and not the Bundle's again. The body goes sooner than
 * the record (BODY_RETENTION_DAYS): the sweep removes it, and TTL (expiresAt) behind it.
 */
export const MESSAGE_BODIES_TABLE: TableDefinition = {
  id: 'MessageBodies',
  envVar: 'MESSAGE_BODIES_TABLE',
  partitionKey: { name: 'messageId', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  indexes: [],
};

/** The bodies table's one item that is not a body: how far the sweep has removed bodies (no message id has '#'). */
export const BODIES_REMOVED_KEY = { messageId: '#bodies-removed-before' } as const;

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
  indexes: [
    // Sparse (only alerts have a state): the open alerts by when raised, the cleared by when cleared, a page at a time.
    {
      name: 'byAlertState',
      partitionKey: { name: 'state', type: 'S' },
      sortKey: { name: 'alertAt', type: 'S' },
      projectedAttributes: ['kind', 'summary', 'raisedAt', 'clearedAt', 'messageId', 'serviceId', 'acknowledged'],
    },
  ],
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

export const TABLES = [
  MESSAGES_TABLE,
  MESSAGE_BODIES_TABLE,
  DIRECTORY_TABLE,
  IDENTITY_TABLE,
  OPERATIONS_TABLE,
] as const;

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
