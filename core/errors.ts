/**
 * The hub's small typed error hierarchy. Inside the hub errors carry FHIR-shaped issues; at the edge they become an
 * OperationOutcome with the BaRS http-error-codes coding (see core/fhir/operation-outcome.ts).
 */

/** FHIR issue-type codes the hub uses (http://hl7.org/fhir/issue-type). */
export type IssueCode =
  | 'required'
  | 'invalid'
  | 'value'
  | 'structure'
  | 'invariant'
  | 'not-supported'
  | 'code-invalid'
  | 'duplicate'
  | 'not-found'
  | 'forbidden'
  | 'security'
  | 'too-long'
  | 'processing'
  | 'transient'
  | 'exception'
  | 'business-rule'
  | 'conflict'
  | 'login'
  | 'throttled'
  | 'timeout'
  | 'too-costly';

export interface Issue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: IssueCode;
  /** Human-readable explanation; never includes patient data. */
  diagnostics: string;
  /** FHIRPath-style location of the offending element, e.g. Bundle.entry[1].resource.identifier[0].value */
  expression?: string;
}

/**
 * BaRS error codes (https://fhir.nhs.uk/Codesystem/http-error-codes) with the HTTP status each answers with: the one
 * table the errors below and every OperationOutcome the hub writes take their codes, statuses and displays from.
 */
export const BARS_CODES = {
  SEND_BAD_REQUEST: { status: 400, display: '400: The Receiver was unable to process the request.' },
  SEND_UNAUTHORIZED: { status: 401, display: '401: Unauthorized.' },
  SEND_FORBIDDEN: { status: 403, display: '403: Forbidden.' },
  SEND_NOT_FOUND: { status: 404, display: '404: Not Found.' },
  SEND_METHOD_NOT_ALLOWED: { status: 405, display: '405: Method Not Allowed.' },
  SEND_NOT_ACCEPTABLE: { status: 406, display: '406: Not Acceptable.' },
  PROXY_NOT_FOUND: { status: 404, display: '404: The target endpoint does not exist in the Endpoint Catalogue.' },
  REC_CONFLICT: { status: 409, display: '409: The Receiver identified a conflict.' },
  SEND_UNPROCESSABLE_ENTITY: { status: 422, display: '422: Unprocessable Entity.' },
  REC_UNPROCESSABLE_ENTITY: { status: 422, display: '422: The Receiver cannot process the request.' },
  REC_TOO_EARLY: { status: 425, display: '425: Too Early.' },
  SEND_TOO_MANY_REQUESTS: { status: 429, display: '429: Too Many Requests.' },
  REC_SERVER_ERROR: { status: 500, display: '500: The Receiver has encountered an error processing the request.' },
  REC_UNAVAILABLE: { status: 503, display: '503: The Receiver is currently unavailable.' },
} as const satisfies Record<string, { status: number; display: string }>;

export type BarsCode = keyof typeof BARS_CODES;

/** Who is at fault decides the BaRS code prefix: SEND_ (the caller) or REC_ (the hub as receiver). */
export abstract class HubError extends Error {
  abstract readonly barsCode: BarsCode;
  /** The HTTP status; from the BaRS table unless the error says otherwise (415 and 413 have no BaRS code of their own). */
  get status(): number {
    return BARS_CODES[this.barsCode].status;
  }
  readonly issues: Issue[];
  constructor(message: string, issues?: Issue[]) {
    super(message);
    this.name = new.target.name;
    this.issues = issues ?? [{ severity: 'error', code: 'processing', diagnostics: message }];
  }
}

/** 400: the message is malformed or breaks the hub's profiles. */
export class BadRequestError extends HubError {
  readonly barsCode = 'SEND_BAD_REQUEST';
}

/** 422: well-formed, but the hub cannot act on it (unknown event, no route, unknown correlation...). */
export class UnprocessableError extends HubError {
  readonly barsCode = 'SEND_UNPROCESSABLE_ENTITY';
}

/**
 * 422, BaRS's "not supported" (REC_UNPROCESSABLE_ENTITY, issue not-supported): a well-formed request for something
 * the hub does not offer (a BaRS use case no service of the network takes): send it elsewhere, not again.
 */
export class NotSupportedError extends HubError {
  readonly barsCode = 'REC_UNPROCESSABLE_ENTITY';
}

/**
 * 404, BaRS's answer for an unknown target (PROXY_NOT_FOUND): the service a sender addressed (NHSD-Target-Identifier
 * or MessageHeader.destination.endpoint) is not in its network's endpoint catalogue.
 */
export class UnknownTargetError extends HubError {
  readonly barsCode = 'PROXY_NOT_FOUND';
}

/** 406: the caller asked for a representation the hub does not produce. */
export class NotAcceptableError extends HubError {
  readonly barsCode = 'SEND_NOT_ACCEPTABLE';
}

/** 415: the body is not FHIR JSON. BaRS has no 415 code: it is reported as a bad request. */
export class UnsupportedMediaTypeError extends HubError {
  readonly barsCode = 'SEND_BAD_REQUEST';
  override get status() {
    return 415;
  }
}

/** 413: the body is over the hub's size limit (reported as a bad request, as BaRS has no 413 code). */
export class PayloadTooLargeError extends HubError {
  readonly barsCode = 'SEND_BAD_REQUEST';
  override get status() {
    return 413;
  }
}

/** 403: the caller may not do this (e.g. read another organisation's mailbox). */
export class ForbiddenError extends HubError {
  readonly barsCode = 'SEND_FORBIDDEN';
}

/** 401: the caller did not say who it is. */
export class UnauthorizedError extends HubError {
  readonly barsCode = 'SEND_UNAUTHORIZED';
}

/** 429: the caller is over its request rate; it may try again after `retryAfterSeconds` (the Retry-After header). */
export class TooManyRequestsError extends HubError {
  readonly barsCode = 'SEND_TOO_MANY_REQUESTS';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests', [
      {
        severity: 'error',
        code: 'throttled',
        diagnostics: `This client is over its request rate: try again in ${retryAfterSeconds} s`,
      },
    ]);
  }
}

/** 404: no such resource or route. */
export class NotFoundError extends HubError {
  readonly barsCode = 'SEND_NOT_FOUND';
}

/** 409: BaRS duplicate: this message identity was already processed. */
export class DuplicateMessageError extends HubError {
  readonly barsCode = 'REC_CONFLICT';
}

/** 409 on state: the request conflicts with the current state (e.g. replaying a delivered message). */
export class ConflictError extends HubError {
  readonly barsCode = 'REC_CONFLICT';
}

/** 425: BaRS: a retry of an X-Request-Id whose first request is still being processed. */
export class TooEarlyError extends HubError {
  readonly barsCode = 'REC_TOO_EARLY';
  /** When the first request will have finished or timed out: the Retry-After a sender is given. */
  constructor(
    message: string,
    issues: Issue[],
    readonly retryAfterSeconds: number,
  ) {
    super(message, issues);
  }
}

/** 409: a lifecycle forbids the change asked for (e.g. a referral already completed cannot be accepted again). */
export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly lifecycle: string,
    readonly from: string,
    readonly to: string,
    allowed: readonly string[],
  ) {
    super(`Illegal ${lifecycle} change ${from} -> ${to}`, [
      {
        severity: 'error',
        code: 'business-rule',
        diagnostics: `The ${lifecycle} is '${from}' and cannot become '${to}'${
          allowed.length
            ? `; from '${from}' it may become ${allowed.map((s) => `'${s}'`).join(', ')}`
            : ` ('${from}' is final)`
        }`,
      },
    ]);
  }
}

/** Builds the issue list for a single problem at one location. */
export function issue(code: IssueCode, diagnostics: string, expression?: string): Issue {
  return expression === undefined
    ? { severity: 'error', code, diagnostics }
    : { severity: 'error', code, diagnostics, expression };
}
