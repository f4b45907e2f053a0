import type { Clock, HubMetric } from '../ports.js';
import type { RequestCounter } from './identity-ports.js';
import type { TokenSubject } from './tokens.js';

/** Throttling window: each client may make its limit of requests per window, counted across every instance. */
export const THROTTLE_WINDOW_SECONDS = 10;
/** Default requests a client may make per throttling window: 20 a second, far above a practice's daily traffic. */
export const DEFAULT_REQUESTS_PER_WINDOW = 200;
/**
 * Permits one hub instance counts at once (one shared write per lease, not per request), and spends locally within
 * the window. At most a tenth of a client's limit, so unspent leases across instances throttle it only a little early.
 */
export const PERMIT_LEASE = 10;

export type ThrottlingService = ReturnType<typeof createThrottling>;

/**
 * Each client's requests counted per window, across every instance of the hub (the counter is shared): a client
 * over its limit is told how long to wait. Permits are counted a lease at a time and spent locally, so most requests
 * cost the shared counter nothing.
 */
export function createThrottling(requests: RequestCounter, deps: { clock: Clock; metric: (name: HubMetric) => void }) {
  /** Permits this instance has counted and not yet spent, per client, in the current window. */
  const leases = new Map<string, { windowStart: number; left: number }>();
  /** Leases being counted now, per client: its other requests meanwhile wait to spend from them. */
  const leasesTaken = new Map<string, Promise<boolean>>();

  return {
    /**
     * Counts a request against its client's window; the seconds to wait when over the limit, else undefined. Permits
     * are counted a lease at a time (PERMIT_LEASE) and spent here; near the limit, one at a time.
     */
    async throttle(subject: TokenSubject): Promise<number | undefined> {
      const windowMs = THROTTLE_WINDOW_SECONDS * 1000;
      const leaseSize = Math.max(1, Math.min(PERMIT_LEASE, Math.floor(subject.requestsPerWindow / 10)));
      for (;;) {
        const now = deps.clock.now().getTime();
        const windowStart = Math.floor(now / windowMs) * windowMs;
        const windowEnd = windowStart + windowMs;
        const lease = leases.get(subject.subject);
        if (lease?.windowStart === windowStart && lease.left > 0) {
          lease.left--;
          return undefined;
        }
        // Another request of this client is counting a lease: spend from it rather than count one more.
        const taking = leasesTaken.get(subject.subject);
        if (taking) {
          await taking.catch(() => undefined); // its failure is its own: this request then counts for itself
          continue;
        }
        const take = (permits: number) =>
          requests.take(
            subject.subject,
            new Date(windowStart),
            subject.requestsPerWindow,
            new Date(windowEnd + windowMs),
            permits,
          );
        if (leaseSize > 1) {
          const leasing = take(leaseSize)
            .then((leased) => {
              if (leased) {
                const kept = leases.get(subject.subject);
                const left = (kept?.windowStart === windowStart ? kept.left : 0) + leaseSize;
                leases.set(subject.subject, { windowStart, left });
              }
              return leased;
            })
            .finally(() => leasesTaken.delete(subject.subject));
          leasesTaken.set(subject.subject, leasing);
          if (await leasing) continue; // spent from like any other lease
        }
        if (await take(1)) return undefined;
        deps.metric('Throttled');
        return Math.max(1, Math.ceil((windowEnd - now) / 1000));
      }
    },
  };
}
