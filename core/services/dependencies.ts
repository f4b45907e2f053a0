import type { HubIdentity } from '../fhir/hub-messages.js';
import type { DeliveryPolicy } from '../lifecycle/delivery-policy.js';
import type {
  Clock,
  DeliveryQueue,
  Directory,
  HubLog,
  HubMetric,
  Mailer,
  MessageStore,
  OperationsStore,
  Transport,
} from '../ports.js';
import type { CategoryIndex } from '../routing/routing-context.js';

/** Everything the use cases need, passed in: the Lambdas and the local runtime wire the same adapters. */
export interface HubDependencies {
  store: MessageStore;
  queue: DeliveryQueue;
  directory: Directory;
  transport: Transport;
  /** Traffic counters and alerts, for ops. */
  operations: OperationsStore;
  clock: Clock;
  categories: CategoryIndex;
  policy: DeliveryPolicy;
  /** The hub itself: its ODS code (it signs its own messages with it), its name and its public address. */
  self: HubIdentity;
  /** Seconds in one hour of the routes' response times (compressed locally). */
  secondsPerResponseHour: number;
  /** Structured log without patient data; the adapters give it Powertools' logger. */
  log: HubLog;
  /** Counts for dashboards and alarms (Powertools metrics in the Lambdas). */
  metric: (name: HubMetric, value?: number) => void;
  /** The hub's own bearer token for a receiver endpoint registered with its credentials (the audience). */
  receiverToken: (audience: string) => Promise<string>;
  /** Emails to teams' shared mailboxes; none where the deployment sends no email. */
  mailer?: Mailer;
}
