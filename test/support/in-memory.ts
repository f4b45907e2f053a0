import type { Role } from '../../core/auth.js';
import type { MessageBundle } from '../../core/fhir/bundle.js';
import { nhsNumberOf } from '../../core/fhir/patient-index.js';
import { createHub, type Hub } from '../../core/hub.js';
import type { IdentityAdapters } from '../../core/identity/identity-ports.js';
import { inMemoryDirectory } from '../../core/in-memory-directory.js';
import { DEFAULT_DELIVERY_POLICY } from '../../core/lifecycle/delivery-policy.js';
import { CHANGED_FIELDS, type MessageChange } from '../../core/lifecycle/message-change.js';
import type { MessageRecord, MessageStatus, QueuedDelivery } from '../../core/lifecycle/message-record.js';
import { BODY_RETENTION_DAYS } from '../../core/lifecycle/retention.js';
import { assertConditional } from '../../core/lifecycle/transitions.js';
import type {
  Alert,
  AlertAcknowledgement,
  AlertCondition,
  TrafficIncrement,
  TrafficRow,
} from '../../core/operations.js';
import type {
  DeliveryQueue,
  HubMetric,
  MessageStore,
  OperationsStore,
  Page,
  PushRequest,
  PushResult,
  Transport,
} from '../../core/ports.js';
import type { NetworkDefinition } from '../../core/routing/network.js';
import { ingestMessage } from '../../core/services/ingest.js';
import { LOCAL_HUB_ODS, LOCAL_OPS_ODS } from '../../local/identities.js';
import { type InMemoryIdentity, inMemoryIdentity } from './in-memory-identity.js';

/** The DynamoDB store's body retention, for the in-memory store to honour the same contract. */
const IN_MEMORY_BODY_RETENTION_MS = BODY_RETENTION_DAYS * 86_400_000;

/**
 * The store port in memory, for unit tests of the use cases: it honours the same contract as the DynamoDB store
 * (conditional writes on the expected state, orderings, limit and cursor), checked by test/contract/message-store.
 */
export class InMemoryMessageStore implements MessageStore {
  readonly records = new Map<string, MessageRecord>();
  readonly bundles = new Map<string, MessageBundle>();
  readonly mailboxes = new Map<string, string>();
  /** Messages the deadline sweep still watches (the DynamoDB store's sparse byDue index). */
  readonly watched = new Set<string>();
  /** When each message was escalated (the DynamoDB store's sparse byOverdue index). */
  readonly overdueAt = new Map<string, string>();

  /** One atomic step here: never 'in-flight' (only a store of two writes can be caught between them). */
  async create(record: MessageRecord, bundle: MessageBundle, asReceived?: string): ReturnType<MessageStore['create']> {
    if (this.records.has(record.messageId)) return 'duplicate';
    this.records.set(record.messageId, structuredClone(record));
    this.bundles.set(
      record.messageId,
      asReceived ? (JSON.parse(asReceived) as MessageBundle) : structuredClone(bundle),
    );
    if (record.dueAt) this.watched.add(record.messageId);
    return 'created';
  }
  async getMany(messageIds: readonly string[]) {
    return messageIds.flatMap((id) => (this.records.has(id) ? [structuredClone(this.records.get(id)!)] : []));
  }
  async get(id: string) {
    const r = this.records.get(id);
    return r && structuredClone(r);
  }
  async getBundle(id: string) {
    const b = this.bundles.get(id);
    return b && structuredClone(b);
  }
  async update(id: string, change: MessageChange): Promise<MessageRecord | undefined> {
    assertConditional(change);
    const record = this.records.get(id);
    if (!record) return undefined;
    const expect = change.expect ?? {};
    if (expect.status !== undefined && record.status !== expect.status) return undefined;
    if (expect.statusIn?.length && !expect.statusIn.includes(record.status)) return undefined;
    if (expect.attempts !== undefined && record.attempts !== expect.attempts) return undefined;
    if (expect.outcome !== undefined && (record.outcome ?? 'none') !== expect.outcome) return undefined;
    if (expect.taskStatus !== undefined && record.task?.status !== expect.taskStatus) return undefined;
    if (expect.due && !this.watched.has(id)) return undefined;
    const { channel, organisation } = record.destination;
    if (expect.mailboxOf !== undefined && (channel !== 'mailbox' || organisation !== expect.mailboxOf))
      return undefined;
    record.timeline.push(...structuredClone(change.events));
    if (change.status) Object.assign(record, { status: change.status, updatedAt: change.at.toISOString() });
    if (change.dueAt) {
      this.watched.add(id);
      record.dueAt = change.dueAt;
    }
    if (change.clearDue) this.watched.delete(id);
    if (change.overdue) this.overdueAt.set(id, change.at.toISOString());
    if (change.overdue === false) this.overdueAt.delete(id);
    for (const field of CHANGED_FIELDS) {
      if (change[field] !== undefined) Object.assign(record, { [field]: structuredClone(change[field]) });
    }
    if (change.incrementAttempts) record.attempts += 1;
    if (change.mailbox === null) this.mailboxes.delete(id);
    else if (change.mailbox) this.mailboxes.set(id, change.mailbox);
    return structuredClone(record);
  }
  /** Sorted, then paged by position: the cursor is the index of the next item. */
  private page(
    filter: (r: MessageRecord) => boolean,
    order: 'newest' | 'oldest',
    sortBy: 'createdAt' | 'updatedAt',
    limit: number,
    cursor?: string,
  ): Page<MessageRecord> {
    const sign = order === 'newest' ? -1 : 1;
    const all = [...this.records.values()]
      .filter(filter)
      .sort((a, b) => sign * (a[sortBy].localeCompare(b[sortBy]) || a.messageId.localeCompare(b.messageId)));
    const start = cursor ? Number(cursor) : 0;
    const items = all.slice(start, start + limit).map((r) => structuredClone(r));
    return { items, ...(start + limit < all.length ? { cursor: String(start + limit) } : {}) };
  }
  async listBySender(organisation: string, limit: number, cursor?: string) {
    return this.page((r) => r.senderOrganisation === organisation, 'newest', 'createdAt', limit, cursor);
  }
  async listByReceiver(organisation: string, limit: number, cursor?: string) {
    return this.page((r) => r.destination.organisation === organisation, 'newest', 'createdAt', limit, cursor);
  }
  async listByPatient(nhsNumber: string, limit: number, cursor?: string) {
    return this.page(
      (r) => {
        const b = this.bundles.get(r.messageId);
        return !!b && nhsNumberOf(b) === nhsNumber;
      },
      'newest',
      'createdAt',
      limit,
      cursor,
    );
  }
  async countToService(organisation: string, serviceId: string, since: Date) {
    return [...this.records.values()].filter(
      (r) =>
        r.destination.organisation === organisation &&
        r.destination.serviceId === serviceId &&
        r.createdAt >= since.toISOString(),
    ).length;
  }
  async listByStatus(status: MessageStatus, limit: number, cursor?: string, before?: Date) {
    return before
      ? this.page(
          (r) => r.status === status && Date.parse(r.updatedAt) < before.getTime(),
          'oldest',
          'updatedAt',
          limit,
          cursor,
        )
      : this.page((r) => r.status === status, 'newest', 'updatedAt', limit, cursor);
  }
  async listAll(limit: number, cursor?: string) {
    return this.page(() => true, 'newest', 'createdAt', limit, cursor);
  }
  async listByCorrelation(correlationId: string, limit: number) {
    return this.page((r) => r.correlationId === correlationId, 'oldest', 'createdAt', limit);
  }
  async listMailbox(organisation: string, limit: number, cursor?: string) {
    return this.page((r) => this.mailboxes.get(r.messageId) === organisation, 'oldest', 'createdAt', limit, cursor);
  }
  async listDue(before: Date, limit: number) {
    return [...this.watched]
      .map((id) => this.records.get(id)!)
      .filter((r) => r.dueAt && Date.parse(r.dueAt) < before.getTime())
      .sort((a, b) => a.dueAt!.localeCompare(b.dueAt!))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }
  async listOverdue(limit: number, cursor?: string) {
    const all = [...this.overdueAt]
      .sort(([a, at], [b, bt]) => bt.localeCompare(at) || b.localeCompare(a))
      .map(([id]) => structuredClone(this.records.get(id)!));
    const start = cursor ? Number(cursor) : 0;
    return {
      items: all.slice(start, start + limit),
      ...(start + limit < all.length ? { cursor: String(start + limit) } : {}),
    };
  }
  async listTasks(organisation: string | undefined, limit: number, cursor?: string) {
    const party = (r: MessageRecord) =>
      organisation === undefined ||
      r.senderOrganisation === organisation ||
      r.destination.organisation === organisation;
    return this.page((r) => r.task !== undefined && party(r), 'newest', 'createdAt', limit, cursor);
  }
  async dropExpiredBodies(before: Date, limit: number) {
    const expired = [...this.bundles.keys()]
      .filter((id) => Date.parse(this.records.get(id)!.createdAt) + IN_MEMORY_BODY_RETENTION_MS < before.getTime())
      .slice(0, limit);
    for (const id of expired) {
      this.bundles.delete(id);
      delete this.records.get(id)!.patient;
    }
    return expired.length;
  }
  async listAllInStatuses(statuses: readonly MessageStatus[]) {
    return [...this.records.values()].filter((r) => statuses.includes(r.status)).map((r) => structuredClone(r));
  }
}

export class RecordingQueue implements DeliveryQueue {
  /** The identities of the messages enqueued, in order (one per record sent). */
  readonly enqueued: string[] = [];
  readonly deliveries: QueuedDelivery[] = [];
  readonly retries: { receipt: string; delaySeconds: number }[] = [];
  async enqueue(delivery: QueuedDelivery) {
    this.enqueued.push(delivery.messageId);
    this.deliveries.push(delivery);
  }
  /** The record a worker would receive for the message: the last one enqueued (its identity alone if none was). */
  last(messageId: string): QueuedDelivery {
    return this.deliveries.findLast((d) => d.messageId === messageId) ?? { messageId };
  }
  async retryAfter(receipt: string, delaySeconds: number) {
    this.retries.push({ receipt, delaySeconds });
  }
  async depth() {
    return this.enqueued.length;
  }
}

/** Traffic counters and alerts in memory, with the DynamoDB adapter's contract (test/integration/contract). */
export class InMemoryOperations implements OperationsStore {
  readonly rows: TrafficRow[] = [];
  readonly alerts = new Map<string, Alert>();
  async addTraffic(increments: readonly TrafficIncrement[]) {
    for (const { dimension, counts } of increments) this.rows.push(structuredClone({ dimension, counts }));
  }
  async readTraffic(fromHour: string, toHour: string) {
    return this.rows.filter((r) => r.dimension.hour >= fromHour && r.dimension.hour <= toHour);
  }
  async raiseAlert(condition: AlertCondition, at: Date) {
    if (this.alerts.get(condition.key)?.state === 'open') return false;
    this.alerts.delete(condition.key); // raised again: newest
    this.alerts.set(condition.key, { ...condition, state: 'open', raisedAt: at.toISOString() }); // unacknowledged
    return true;
  }
  async clearAlert(key: string, at: Date) {
    const alert = this.alerts.get(key);
    if (alert?.state !== 'open') return false;
    this.alerts.set(key, { ...alert, state: 'cleared', clearedAt: at.toISOString() });
    return true;
  }
  readonly marks = new Set<string>();
  async markOnce(key: string) {
    if (this.marks.has(key)) return false;
    this.marks.add(key);
    return true;
  }
  async acknowledgeAlert(key: string, acknowledgement: AlertAcknowledgement) {
    const alert = this.alerts.get(key);
    if (alert?.state !== 'open' || alert.acknowledged) return false;
    this.alerts.set(key, { ...alert, acknowledged: acknowledgement });
    return true;
  }
  async listAlerts(state: Alert['state'], page: { limit: number; cursor?: string; since?: Date }) {
    const at = (a: Alert) => (state === 'open' ? a.raisedAt : a.clearedAt!);
    const all = [...this.alerts.values()]
      .filter((a) => a.state === state && (!page.since || at(a) >= page.since.toISOString()))
      .sort((a, b) => at(b).localeCompare(at(a)));
    const from = page.cursor ? Number(page.cursor) : 0;
    return {
      items: all.slice(from, from + page.limit).map((a) => structuredClone(a)),
      ...(from + page.limit < all.length ? { cursor: String(from + page.limit) } : {}),
    };
  }
  async countOpenAlerts(atMost: number) {
    return Math.min(atMost, [...this.alerts.values()].filter((a) => a.state === 'open').length);
  }
  async getAlert(key: string) {
    const alert = this.alerts.get(key);
    return alert && structuredClone(alert);
  }
}

/** A transport that answers with the statuses given, in order (undefined: no answer). */
export class ScriptedTransport implements Transport {
  readonly pushes: PushRequest[] = [];
  /** Runs while a push is in flight, before the receiver answers (to make the world change under a worker). */
  beforeAnswer: (() => Promise<void>) | undefined;
  constructor(private readonly answers: (number | undefined)[] = []) {}
  async push(request: PushRequest): Promise<PushResult> {
    this.pushes.push(request);
    await this.beforeAnswer?.();
    const status = this.answers.length ? this.answers.shift() : 200;
    return status === undefined ? { detail: 'no answer' } : { status, detail: `HTTP ${status}` };
  }
}

export interface TestHub extends Hub {
  store: InMemoryMessageStore;
  operations: InMemoryOperations;
  queue: RecordingQueue;
  transport: ScriptedTransport;
  identityStore: InMemoryIdentity;
  identityAdapters: IdentityAdapters;
  metrics: HubMetric[];
}

/** A hub on in-memory ports, built by the same composition root as the Lambdas and the local hub. */
export function testDependencies(
  networks: NetworkDefinition[],
  transport = new ScriptedTransport(),
  now = new Date('2026-11-23T10:00:00Z'),
): TestHub {
  const metrics: HubMetric[] = [];
  const adapters = {
    store: new InMemoryMessageStore(),
    queue: new RecordingQueue(),
    directory: inMemoryDirectory(networks),
    transport,
    operations: new InMemoryOperations(),
  };
  const identity = inMemoryIdentity();
  const hub = createHub(
    {
      hub: { odsCode: LOCAL_HUB_ODS, name: 'Test hub', baseUrl: 'https://hub.example.org' },
      policy: { ...DEFAULT_DELIVERY_POLICY, maxAttempts: 3 },
      opsOrganisations: [LOCAL_OPS_ODS],
    },
    { ...adapters, identity, clock: { now: () => now }, metric: (name) => metrics.push(name) },
  );
  return { ...hub, ...adapters, identityStore: identity.store, identityAdapters: identity, metrics };
}

/** In unit tests a caller acts in whichever role the message needs; test/integration/access-matrix checks roles. */
export const BOTH_ROLES: readonly Role[] = ['sender', 'receiver'];

/** A message sent to the hub's ingest as an organisation would send it (its own request and correlation ids). */
export async function ingestAs(hub: Hub, body: unknown, caller: string, correlationId: string = crypto.randomUUID()) {
  const { record } = await ingestMessage(hub, {
    body,
    requestId: crypto.randomUUID(),
    correlationId,
    caller: { organisation: caller, ops: false, roles: BOTH_ROLES },
  });
  return { id: record.messageId, correlationId };
}
