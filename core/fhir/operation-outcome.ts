import type { OperationOutcome } from 'fhir/r4';
import { HubError, type Issue } from '../errors.js';
import { SYSTEMS } from './systems.js';

/** BaRS error code for a status when no typed error says otherwise. */
const DEFAULT_CODES: Record<number, string> = {
  400: 'SEND_BAD_REQUEST',
  401: 'SEND_UNAUTHORIZED',
  403: 'SEND_FORBIDDEN',
  404: 'SEND_NOT_FOUND',
  405: 'SEND_METHOD_NOT_ALLOWED',
  406: 'SEND_NOT_ACCEPTABLE',
  409: 'REC_CONFLICT',
  413: 'SEND_BAD_REQUEST',
  415: 'SEND_BAD_REQUEST',
  422: 'SEND_UNPROCESSABLE_ENTITY',
  429: 'SEND_TOO_MANY_REQUESTS',
  500: 'REC_SERVER_ERROR',
  503: 'REC_UNAVAILABLE',
};

const DISPLAYS: Record<string, string> = {
  SEND_BAD_REQUEST: '400: The Receiver was unable to process the request.',
  SEND_UNAUTHORIZED: '401: Unauthorized.',
  SEND_FORBIDDEN: '403: Forbidden.',
  SEND_NOT_FOUND: '404: Not Found.',
  SEND_METHOD_NOT_ALLOWED: '405: Method Not Allowed.',
  SEND_NOT_ACCEPTABLE: '406: Not Acceptable.',
  SEND_UNPROCESSABLE_ENTITY: '422: Unprocessable Entity.',
  SEND_TOO_MANY_REQUESTS: '429: Too Many Requests.',
  REC_CONFLICT: '409: The Receiver identified a conflict.',
  REC_SERVER_ERROR: '500: The Receiver has encountered an error processing the request.',
  REC_UNAVAILABLE: '503: The Receiver is currently unavailable.',
};

export function operationOutcome(barsCode: string, issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    meta: { profile: ['https://fhir.nhs.uk/StructureDefinition/NHSDigital-OperationOutcome'] },
    issue: issues.map((i) => ({
      severity: i.severity,
      code: i.code,
      details: {
        coding: [{ system: SYSTEMS.httpErrorCodes, code: barsCode, display: DISPLAYS[barsCode] ?? barsCode }],
      },
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: [i.expression] } : {}),
    })),
  };
}

export interface ErrorAnswer {
  status: number;
  outcome: OperationOutcome;
}

/** Turns any thrown value into the answer the caller gets. Unknown errors are 500 and say nothing internal. */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof HubError) {
    return { status: error.status, outcome: operationOutcome(error.barsCode, error.issues) };
  }
  return {
    status: 500,
    outcome: operationOutcome('REC_SERVER_ERROR', [
      {
        severity: 'error',
        code: 'exception',
        diagnostics: 'The hub could not process the request. It is safe to retry with the same X-Request-Id.',
      },
    ]),
  };
}

export function statusAnswer(status: number, code: Issue['code'], diagnostics: string): ErrorAnswer {
  return {
    status,
    outcome: operationOutcome(DEFAULT_CODES[status] ?? 'REC_SERVER_ERROR', [{ severity: 'error', code, diagnostics }]),
  };
}
