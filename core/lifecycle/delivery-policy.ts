/** How the hub retries deliveries. Every number here is a named setting with a metric and an alarm (infra/constructs/monitoring.ts). */
export interface DeliveryPolicy {
  /** Attempts per message and endpoint before it is failed and the sender told. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt. */
  baseDelaySeconds: number;
  /** Longest retry delay (SQS allows a visibility timeout of up to 12 hours). */
  maxDelaySeconds: number;
  /** How long one push may take before it counts as a transient failure. */
  pushTimeoutMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8, // about 2 hours of retries with the delays below
  baseDelaySeconds: 30, // long enough for a receiver's restart
  maxDelaySeconds: 1800, // half an hour between the last attempts
  pushTimeoutMs: 10_000, // BaRS receivers answer synchronously within seconds
};

export type AttemptResult = 'success' | 'duplicate' | 'transient' | 'permanent';

/**
 * A receiver's answer read by BaRS's error table: 2xx success; 409 REC_CONFLICT duplicate (it already has the
 * message: delivered); 408 REC_TIMEOUT, 429 (with Retry-After) and 5xx (REC_SERVER_ERROR, REC_UNAVAILABLE)
 * transient; any other 4xx (REC_BAD_REQUEST, REC_NOT_FOUND, REC_UNPROCESSABLE_ENTITY...) permanent: sending it
 * again would fail again. No answer at all (network, timeout) is transient.
 */
export function classifyReceiverAnswer(status: number | undefined, issueCodes: readonly string[] = []): AttemptResult {
  if (status === undefined) return 'transient';
  if (status >= 200 && status < 300) return 'success';
  if (status === 409 && (issueCodes.length === 0 || issueCodes.includes('duplicate'))) return 'duplicate';
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  return 'permanent';
}

/**
 * Exponential backoff with full jitter: a random delay up to base * 2^(attempt-1), capped; never zero. A receiver's
 * Retry-After (429, 503) is honoured when longer, within the longest delay.
 */
export function retryDelaySeconds(
  attempt: number,
  policy: DeliveryPolicy,
  random: () => number = Math.random,
  retryAfterSeconds?: number,
): number {
  const ceiling = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.max(0, attempt - 1));
  const backoff = Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
  return retryAfterSeconds === undefined
    ? backoff
    : Math.min(policy.maxDelaySeconds, Math.max(backoff, retryAfterSeconds));
}
