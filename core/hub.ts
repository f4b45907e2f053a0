import type { HubIdentity } from './fhir/hub-messages.js';
import type { IdentityAdapters, OidcProvider, PendingSignIns } from './identity/identity-ports.js';
import { type ClaimMapping, createSignIn, DEFAULT_CLAIM_MAPPING, type SignInService } from './identity/sign-in.js';
import { createThrottling, DEFAULT_REQUESTS_PER_WINDOW, type ThrottlingService } from './identity/throttling.js';
import { IdentityService } from './identity/tokens.js';
import type { DeliveryPolicy } from './lifecycle/delivery-policy.js';
import { SECONDS_PER_HOUR } from './lifecycle/response-deadlines.js';
import {
  type Clock,
  type DeliveryQueue,
  type Directory,
  type HubLog,
  type HubMetric,
  type Mailer,
  type MessageStore,
  type OperationsStore,
  systemClock,
  type Transport,
} from './ports.js';
import { HUB_CATEGORIES } from './routing/routing-context.js';
import type { HubDependencies } from './services/dependencies.js';

/** What a deployment decides: who the hub is, how it retries, who its ops staff are. Read once, by the caller. */
export interface HubConfig {
  hub: HubIdentity;
  policy: DeliveryPolicy;
  /** ODS codes whose callers are hub operations staff. */
  opsOrganisations: readonly string[];
  /** Seconds in one hour of the routes' response times (SECONDS_PER_HOUR unless compressed, as `npm start` does). */
  secondsPerResponseHour?: number;
  /** Requests a client may make per throttling window unless its registration says otherwise. */
  requestsPerWindow?: number;
  /** Which ID token claims carry a person's organisation and roles (when people sign in). */
  claimMapping?: ClaimMapping;
}

/** The ports the hub runs on: DynamoDB/SQS/HTTP on AWS and locally, in-memory or failing ones in tests. */
export interface HubAdapters {
  store: MessageStore;
  queue: DeliveryQueue;
  directory: Directory;
  transport: Transport;
  operations: OperationsStore;
  /** Client registrations, used assertions, request counts and the token signing key. */
  identity: IdentityAdapters;
  /** People's sign-in (OpenID Connect): absent where the deployment has none. */
  signIn?: { provider: OidcProvider; pending: PendingSignIns };
  clock?: Clock;
  log?: HubLog;
  metric?: (name: HubMetric, value?: number) => void;
  /** Emails to teams (SES on AWS, caught locally): absent where the deployment sends none. */
  mailer?: Mailer;
}

export interface Hub extends HubDependencies {
  opsOrganisations: ReadonlySet<string>;
  /** The token endpoint and the verifier of the hub's access tokens. */
  identity: IdentityService;
  /** Each client's requests counted per window across every instance; over its limit, how long to wait. */
  throttling: ThrottlingService;
  /** People's sign-in, when the deployment configures an OpenID Connect provider. */
  signIn?: SignInService;
}

const silentLog: HubLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The composition root: every service the hub runs is built here from its configuration and its ports. The
 * Lambda handlers, `npm start`, the benchmarks and the tests all go through it, so a test can hand the hub a store,
 * queue or transport that fails, and nothing else reads the environment or wires adapters on its own.
 */
export function createHub(config: HubConfig, adapters: HubAdapters): Hub {
  const clock = adapters.clock ?? systemClock;
  const log = adapters.log ?? silentLog;
  const metric = adapters.metric ?? (() => undefined);
  const opsOrganisations = new Set(config.opsOrganisations);
  const identity = new IdentityService(
    {
      get issuer() {
        return config.hub.baseUrl;
      },
      opsOrganisations,
      requestsPerWindow: config.requestsPerWindow ?? DEFAULT_REQUESTS_PER_WINDOW,
    },
    adapters.identity,
    { clock, log, metric },
  );
  return {
    store: adapters.store,
    queue: adapters.queue,
    directory: adapters.directory,
    transport: adapters.transport,
    operations: adapters.operations,
    clock,
    log,
    metric,
    categories: HUB_CATEGORIES,
    policy: config.policy,
    self: config.hub,
    secondsPerResponseHour: config.secondsPerResponseHour ?? SECONDS_PER_HOUR,
    opsOrganisations,
    identity,
    throttling: createThrottling(adapters.identity.requests, { clock, metric }),
    receiverToken: (audience) => identity.receiverToken(audience, config.hub.odsCode),
    ...(adapters.mailer ? { mailer: adapters.mailer } : {}),
    ...(adapters.signIn
      ? {
          signIn: createSignIn(
            config.claimMapping ?? DEFAULT_CLAIM_MAPPING,
            { ...adapters.signIn, directory: adapters.directory },
            { identity, clock, log, opsOrganisations },
          ),
        }
      : {}),
  };
}
