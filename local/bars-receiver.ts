import type { OperationOutcome } from 'fhir/r4';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { MessageBundle } from '../core/fhir/bundle.js';
import { HEADERS, SYSTEMS } from '../core/fhir/systems.js';

/**
 * A BaRS receiver's side of `POST [base]/$process-message`, as the BaRS Core error-handling pages describe it: the
 * headers it requires, the duplicate it recognises, and each REC_ error it may answer. The simulated pharmacies of
 * `npm start` answer with it, and the contract tests hold the hub's push to it.
 *
 * So that each answer can be seen by hand, a referral asks for one in a note of its ServiceRequest:
 * `simulate REC_UNPROCESSABLE_ENTITY` (or REC_BAD_REQUEST, REC_NOT_FOUND, REC_SERVER_ERROR, REC_TOO_MANY_REQUESTS,
 * REC_CONFLICT). The transient ones (500, 429) are answered to the first attempt only, as a receiver that recovers.
 */

export interface BarsRequest {
  method: string;
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface BarsAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The REC_ answers a receiver gives, each with its HTTP status and FHIR issue code (BaRS Core 1.5.0, Error Handling). */
export const RECEIVER_ERRORS = {
  REC_BAD_REQUEST: { status: 400, code: 'invalid' },
  REC_UNAUTHORIZED: { status: 401, code: 'security' },
  REC_NOT_FOUND: { status: 404, code: 'not-found' },
  REC_CONFLICT: { status: 409, code: 'duplicate' },
  REC_UNPROCESSABLE_ENTITY: { status: 422, code: 'business-rule' },
  REC_TOO_MANY_REQUESTS: { status: 429, code: 'throttled' },
  REC_SERVER_ERROR: { status: 500, code: 'exception' },
} as const;
export type ReceiverError = keyof typeof RECEIVER_ERRORS;

/** Errors a recovering receiver gives only to a message's first attempt. */
const TRANSIENT: readonly ReceiverError[] = ['REC_SERVER_ERROR', 'REC_TOO_MANY_REQUESTS'];
/** The Retry-After a throttled receiver asks for, in seconds. */
export const RECEIVER_RETRY_AFTER_SECONDS = 1;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A BaRS OperationOutcome with one issue, coded in BaRS's http-error-codes. */
export function barsOutcome(error: ReceiverError, diagnostics: string, code?: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: (code ?? RECEIVER_ERRORS[error].code) as OperationOutcome['issue'][number]['code'],
        details: { coding: [{ system: SYSTEMS.httpErrorCodes, code: error }] },
        diagnostics,
      },
    ],
  };
}

/** A Base64 JSON header's object, or why it is not one. */
function decodeHeader(value: string | undefined): Record<string, unknown> | string {
  if (!value) return 'missing';
  try {
    const decoded = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
    return decoded && typeof decoded === 'object' && !Array.isArray(decoded)
      ? (decoded as Record<string, unknown>)
      : 'not a JSON object';
  } catch {
    return 'not Base64 JSON';
  }
}

/** What is wrong with a request's BaRS headers: every problem, each naming its header. */
export function headerProblems(headers: BarsRequest['headers']): string[] {
  const problems: string[] = [];
  for (const name of [HEADERS.requestId, HEADERS.correlationId]) {
    const value = headers[name];
    if (!value) problems.push(`${name} is missing`);
    else if (!GUID.test(value)) problems.push(`${name} is not a GUID`);
  }
  const target = decodeHeader(headers[HEADERS.targetIdentifier]);
  if (typeof target === 'string') problems.push(`${HEADERS.targetIdentifier} is ${target}`);
  else if (typeof target.system !== 'string' || typeof target.value !== 'string')
    problems.push(`${HEADERS.targetIdentifier} must be {"system": ..., "value": ...}`);
  const organisation = decodeHeader(headers[HEADERS.endUserOrganisation]);
  if (typeof organisation === 'string') problems.push(`${HEADERS.endUserOrganisation} is ${organisation}`);
  else if (organisation.resourceType !== 'Organization')
    problems.push(`${HEADERS.endUserOrganisation} must be a FHIR Organization`);
  return problems;
}

/** The REC_ answer a referral asks the simulated receiver for (a ServiceRequest note `simulate REC_...`), if any. */
function simulated(bundle: MessageBundle): ReceiverError | undefined {
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (resource?.resourceType !== 'ServiceRequest') continue;
    for (const note of resource.note ?? []) {
      const asked = /simulate (REC_[A-Z_]+)/.exec(note.text ?? '')?.[1];
      if (asked && asked in RECEIVER_ERRORS) return asked as ReceiverError;
    }
  }
  return undefined;
}

/**
 * Checks the bearer token of a request, when the receiver registered its endpoint with the hub's credentials:
 * resolves to why it is refused, or undefined when it is good.
 */
export type TokenCheck = (authorization: string | undefined) => Promise<string | undefined>;

/**
 * A BaRS receiver: checks the request (method, credentials, headers, a message Bundle), recognises a request it
 * already processed (the same X-Request-Id and X-Correlation-Id: 409 REC_CONFLICT duplicate), and answers 200 with
 * the Bundle, or the REC_ error the referral asks for.
 */
export class BarsReceiver {
  constructor(private readonly checkToken?: TokenCheck) {}

  /** Requests processed, by X-Request-Id and X-Correlation-Id. */
  private readonly processed = new Set<string>();
  /** Attempts seen per message identity (Bundle.id). */
  private readonly attempts = new Map<string, number>();

  async answer(request: BarsRequest): Promise<BarsAnswer> {
    const fhir = { 'content-type': 'application/fhir+json' };
    const refuse = (error: ReceiverError, diagnostics: string, code?: string, extra: Record<string, string> = {}) => ({
      status: RECEIVER_ERRORS[error].status,
      headers: { ...fhir, ...extra },
      body: barsOutcome(error, diagnostics, code),
    });
    if (request.method !== 'POST') return refuse('REC_BAD_REQUEST', 'Only POST $process-message is served');
    const refused = await this.checkToken?.(request.headers.authorization);
    if (refused) return refuse('REC_UNAUTHORIZED', refused);
    const problems = headerProblems(request.headers);
    if (problems.length) return refuse('REC_BAD_REQUEST', problems.join('; '), 'required');
    let bundle: MessageBundle;
    try {
      bundle = JSON.parse(request.body) as MessageBundle;
    } catch {
      return refuse('REC_BAD_REQUEST', 'The body is not JSON', 'structure');
    }
    if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'message' || !bundle.id)
      return refuse('REC_BAD_REQUEST', 'The body must be a FHIR message Bundle with an id', 'structure');
    const key = `${request.headers[HEADERS.requestId]}|${request.headers[HEADERS.correlationId]}`;
    const attempt = (this.attempts.get(bundle.id) ?? 0) + 1;
    this.attempts.set(bundle.id, attempt);
    const asked = simulated(bundle);
    if (asked && (!TRANSIENT.includes(asked) || attempt === 1)) {
      const retryAfter =
        asked === 'REC_TOO_MANY_REQUESTS' ? { 'retry-after': String(RECEIVER_RETRY_AFTER_SECONDS) } : undefined;
      return refuse(asked, `Simulated ${asked}, as the referral asked`, undefined, retryAfter);
    }
    if (this.processed.has(key)) return refuse('REC_CONFLICT', `Request ${key} was already processed`, 'duplicate');
    this.processed.add(key);
    return { status: 200, headers: fhir, body: bundle };
  }
}

/**
 * A TokenCheck for the hub's own tokens: signed by the hub's key (its JWKS), issued by the hub, for an endpoint whose
 * path is this receiver's (the hub may know the endpoint by another origin than the one it listens on locally).
 */
export function hubTokenCheck(hubBaseUrl: () => string, endpointPath: string): TokenCheck {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  return async (authorization) => {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token) return "This endpoint takes the hub's own bearer token (Authorization: Bearer)";
    keys ??= createRemoteJWKSet(new URL(`${hubBaseUrl()}/.well-known/jwks.json`));
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: hubBaseUrl() });
      const audience = [payload.aud ?? []].flat();
      if (!audience.some((aud) => new URL(aud).pathname === endpointPath))
        return `The token is for ${audience.join(', ')}, not this endpoint`;
      return payload.kind === 'hub' ? undefined : "The token is not the hub's own";
    } catch (error) {
      return `The token was not signed by the hub: ${(error as Error).message}`;
    }
  };
}
