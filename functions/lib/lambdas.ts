import type { HandlerName } from '../../core/api/routes.js';

/**
 * The hub's functions: what each may touch, its size and timeout, what invokes it; and the schedules and leases
 * the functions keep to. infra/ deploys exactly this; the local hub runs the same handlers on the same settings.
 */

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
