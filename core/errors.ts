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
  | 'timeout';

export interface Issue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: IssueCode;
  /** Human-readable explanation; never includes patient data. */
  diagnostics: string;
  /** FHIRPath-style location of the offending element, e.g. Bundle.entry[1].resource.identifier[0].value */
  expression?: string;
}

/** Who is at fault decides the BaRS code prefix: SEND_ (the caller) or REC_ (the hub as receiver). */
export abstract class HubError extends Error {
  abstract readonly status: number;
  abstract readonly barsCode: string;
  readonly issues: Issue[];
  constructor(message: string, issues?: Issue[]) {
    super(message);
    this.name = new.target.name;
    this.issues = issues ?? [{ severity: 'error', code: 'processing', diagnostics: message }];
  }
}

/** 400: the message is malformed or breaks the hub's profiles. */
export class BadRequestError extends HubError {
  readonly status = 400;
  readonly barsCode = 'SEND_BAD_REQUEST';
}

/** 422: well-formed, but the hub cannot act on it (unknown event, no route, unknown correlation...). */
export class UnprocessableError extends HubError {
  readonly status = 422;
  readonly barsCode = 'SEND_UNPROCESSABLE_ENTITY';
}

/** 406: the caller asked for a representation the hub does not produce. */
export class NotAcceptableError extends HubError {
  readonly status = 406;
  readonly barsCode = 'SEND_NOT_ACCEPTABLE';
}

/** 415: the body is not FHIR JSON. BaRS has no 415 code: it is reported as a bad request. */
export class UnsupportedMediaTypeError extends HubError {
  readonly status = 415;
  readonly barsCode = 'SEND_BAD_REQUEST';
}

/** 413: the body is over the hub's size limit. */
export class PayloadTooLargeError extends HubError {
  readonly status = 413;
  readonly barsCode = 'SEND_BAD_REQUEST';
}

/** 403: the caller may not do this (e.g. read another organisation's mailbox). */
export class ForbiddenError extends HubError {
  readonly status = 403;
  readonly barsCode = 'SEND_FORBIDDEN';
}

/** 401: the caller did not say who it is. */
export class UnauthorizedError extends HubError {
  readonly status = 401;
  readonly barsCode = 'SEND_UNAUTHORIZED';
}

/** 404: no such resource or route. */
export class NotFoundError extends HubError {
  readonly status = 404;
  readonly barsCode = 'SEND_NOT_FOUND';
}

/** 409: BaRS duplicate: this message identity was already processed. */
export class DuplicateMessageError extends HubError {
  readonly status = 409;
  readonly barsCode = 'REC_CONFLICT';
}

/** 409 on state: the request conflicts with the current state (e.g. replaying a delivered message). */
export class ConflictError extends HubError {
  readonly status = 409;
  readonly barsCode = 'REC_CONFLICT';
}

/** Builds the issue list for a single problem at one location. */
export function issue(code: IssueCode, diagnostics: string, expression?: string): Issue {
  return expression === undefined
    ? { severity: 'error', code, diagnostics }
    : { severity: 'error', code, diagnostics, expression };
}
