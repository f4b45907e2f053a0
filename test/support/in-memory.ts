import type { MessageBundle } from '../../core/fhir/bundle.js';
import { DEFAULT_DELIVERY_POLICY } from '../../core/lifecycle/delivery-policy.js';
import type { MessageRecord, MessageStatus } from '../../core/lifecycle/message-record.js';
import type {
  DeliveryQueue,
  Directory,
  MessageChange,
  MessageStore,
  Page,
  PushRequest,
  PushResult,
  Transport,
} from '../../core/ports.js';
import type { NetworkDefinition } from '../../core/routing/network.js';
import { compileNetwork } from '../../core/routing/resolve.js';
import { HUB_CATEGORIES } from '../../core/routing/routing-context.js';
import type { HubDependencies, HubMetric } from '../../core/services/dependencies.js';

/** The store port with DynamoDB's conditional-write semantics, in memory, for unit tests of the use cases. */
export class InMemoryMessageStore implements MessageStore {
  readonly records = new Map<string, MessageRecord>();
  readonly bundles = new Map<string, MessageBundle>();
  readonly mailboxes = new Map<string, string>();

  async create(record: MessageRecord, bundle: MessageBundle): Promise<'created' | 'duplicate'> {
    if (this.records.has(record.messageId)) return 'duplicate';
    this.records.set(record.messageId, structuredClone(record));
    this.bundles.set(record.messageId, structuredClone(bundle));
    return 'created';
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
    const record = this.records.get(id);
    if (!record) return undefined;
    if (change.fromStatuses && !change.fromStatuses.includes(record.status)) return undefined;
    if (change.expectAttempts !== undefined && record.attempts !== change.expectAttempts) return undefined;
    record.timeline.push(...change.events);
    if (change.status) Object.assign(record, { status: change.status, updatedAt: change.at.toISOString() });
    for (const field of ['attempts', 'outcome', 'outcomeReason', 'destination', 'replays'] as const) {
      if (change[field] !== undefined) Object.assign(record, { [field]: change[field] });
    }
    if (change.clearOutcome) {
      delete record.outcome;
      delete record.outcomeReason;
    }
    if (change.mailbox === null) this.mailboxes.delete(id);
    else if (change.mailbox) this.mailboxes.set(id, change.mailbox);
    return structuredClone(record);
  }
  private page(filter: (r: MessageRecord) => boolean): Page<MessageRecord> {
    return { items: [...this.records.values()].filter(filter).map((r) => structuredClone(r)) };
  }
  async listBySender(organisation: string) {
    return this.page((r) => r.senderOrganisation === organisation);
  }
  async listByStatus(status: MessageStatus, _limit: number, _cursor?: string, before?: Date) {
    return this.page((r) => r.status === status && (!before || Date.parse(r.updatedAt) < before.getTime()));
  }
  async listByCorrelation(correlationId: string) {
    return this.page((r) => r.correlationId === correlationId);
  }
  async listMailbox(organisation: string) {
    return this.page((r) => this.mailboxes.get(r.messageId) === organisation);
  }
}

export class RecordingQueue implements DeliveryQueue {
  readonly enqueued: string[] = [];
  async enqueue(messageId: string) {
    this.enqueued.push(messageId);
  }
}

/** A transport that answers with the statuses given, in order (undefined: no answer). */
export class ScriptedTransport implements Transport {
  readonly pushes: PushRequest[] = [];
  constructor(private readonly answers: (number | undefined)[] = []) {}
  async push(request: PushRequest): Promise<PushResult> {
    this.pushes.push(request);
    const status = this.answers.length ? this.answers.shift() : 200;
    return status === undefined ? { detail: 'no answer' } : { status, detail: `HTTP ${status}` };
  }
}

export function inMemoryDirectory(networks: NetworkDefinition[]): Directory {
  const compiled = networks.map(compileNetwork);
  return {
    networkOfPractice: async (ods) => compiled.find((n) => n.practices.has(ods)),
    networkOfOrganisation: async (ods) => compiled.find((n) => n.organisations.has(ods)),
    listNetworks: async () => networks,
  };
}

export interface TestHub extends HubDependencies {
  store: InMemoryMessageStore;
  queue: RecordingQueue;
  transport: ScriptedTransport;
  metrics: HubMetric[];
}

export function testDependencies(
  networks: NetworkDefinition[],
  transport = new ScriptedTransport(),
  now = new Date('2026-11-23T10:00:00Z'),
): TestHub {
  const metrics: HubMetric[] = [];
  return {
    store: new InMemoryMessageStore(),
    queue: new RecordingQueue(),
    directory: inMemoryDirectory(networks),
    transport,
    clock: { now: () => now },
    categories: HUB_CATEGORIES,
    policy: { ...DEFAULT_DELIVERY_POLICY, maxAttempts: 3 },
    hub: { odsCode: 'Z8HUB1', name: 'Test hub', baseUrl: 'https://hub.example.org' },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metric: (name) => metrics.push(name),
    metrics,
  };
}
