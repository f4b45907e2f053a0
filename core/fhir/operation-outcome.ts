import type { OperationOutcome } from 'fhir/r4';
import { BARS_CODES, type BarsCode, HubError, type Issue } from '../errors.js';
import { SYSTEMS } from './systems.js';

/** Most issues one answer lists; the rest are counted in one last issue, so an answer stays smaller than its question. */
export const MAX_ISSUES_PER_ANSWER = 100;

/** The BaRS code the table gives a status, for answers made before a typed error exists (404/405 of the router). */
function barsCodeOf(status: number): BarsCode {
  const found = (Object.entries(BARS_CODES) as [BarsCode, { status: number }][]).find(([, c]) => c.status === status);
  if (found) return found[0];
  return status < 500 ? 'SEND_BAD_REQUEST' : 'REC_SERVER_ERROR'; // 413, 415, 431: the sender's to fix
}

export function operationOutcome(barsCode: BarsCode, all: Issue[]): OperationOutcome {
  const issues =
    all.length > MAX_ISSUES_PER_ANSWER
      ? [
          ...all.slice(0, MAX_ISSUES_PER_ANSWER),
          {
            severity: 'error' as const,
            code: 'too-costly' as const,
            diagnostics: `and ${all.length - MAX_ISSUES_PER_ANSWER} more issues, not listed`,
          },
        ]
      : all;
  return {
    resourceType: 'OperationOutcome',
    meta: { profile: ['https://fhir.nhs.uk/StructureDefinition/NHSDigital-OperationOutcome'] },
    issue: issues.map((i) => ({
      severity: i.severity,
      code: i.code,
      details: {
        coding: [{ system: SYSTEMS.httpErrorCodes, code: barsCode, display: BARS_CODES[barsCode].display }],
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
    outcome: operationOutcome(barsCodeOf(status), [{ severity: 'error', code, diagnostics }]),
  };
}
