import { gunzipSync } from 'node:zlib';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import packedDefinitions from '../../fhir-profiles/generated/r4-base-definitions.gz.json' with { type: 'json' };
import type { Issue, IssueCode } from '../errors.js';
import { certainlyValidR4 } from './fast-structure.js';
import { withoutMisplacedValues } from './misplaced.js';

let indexed = false;

/**
 * Unpacks and indexes the compiled R4 subset once per process, when a message first needs the general validator
 * (about 0.1 s; the full R4 set would cost 0.5 s and 85 MB).
 */
export function loadBaseDefinitions(): void {
  if (indexed) return;
  const definitions = JSON.parse(gunzipSync(Buffer.from(packedDefinitions.gzipBase64, 'base64')).toString('utf8'));
  indexStructureDefinitionBundle(definitions as Parameters<typeof indexStructureDefinitionBundle>[0]);
  indexed = true;
}

/** Medplum reports references it cannot type-check inside a Bundle as warnings; the hub resolves them itself. */
const KNOWN_ISSUE_CODES = new Set<IssueCode>([
  'required',
  'invalid',
  'value',
  'structure',
  'invariant',
  'not-supported',
  'code-invalid',
]);

/**
 * R4 structure, types, cardinality and FHIRPath invariants (bdl-12 among them), via Medplum's validator.
 * Returns error issues only. This is the one boundary where @types/fhir meets @medplum/fhirtypes.
 */
export function checkBaseStructure(resource: object): Issue[] {
  // Most messages are certainly valid by the compiled tables' one walk; the general validator words what is not.
  if (certainlyValidR4(resource)) return [];
  loadBaseDefinitions();
  const { copy, issues: misplaced } = withoutMisplacedValues(resource);
  try {
    validateResource(copy as Parameters<typeof validateResource>[0]);
    return misplaced;
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) {
      // Medplum throws plain errors for resource types outside the compiled set.
      return [...misplaced, { severity: 'error', code: 'not-supported', diagnostics: (error as Error).message }];
    }
    return [
      ...misplaced,
      ...(error.outcome.issue ?? [])
        .filter((i: { severity: string }) => i.severity === 'error' || i.severity === 'fatal')
        .map((i: { code: string; details?: { text?: string }; diagnostics?: string; expression?: string[] }) => ({
          severity: 'error' as const,
          code:
            i.details?.text === 'Missing required property'
              ? 'required'
              : KNOWN_ISSUE_CODES.has(i.code as IssueCode)
                ? (i.code as IssueCode)
                : 'structure',
          diagnostics: i.details?.text ?? i.diagnostics ?? 'Invalid resource',
          ...(i.expression?.[0] ? { expression: i.expression[0] } : {}),
        })),
    ];
  }
}
