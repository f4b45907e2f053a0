import type { Organization } from 'fhir/r4';
import { BadRequestError, ForbiddenError, issue, UnauthorizedError } from './errors.js';
import { canonicalSystem, HEADERS, SYSTEMS } from './fhir/systems.js';

/**
 * Who is calling. Today the caller's organisation comes from BaRS's NHSD-End-User-Organisation header, which the
 * deployed API only accepts from IAM-signed callers; signed-JWT system authentication with org-bound roles will
 * replace this one function (the seam every HTTP handler goes through).
 */
export interface Caller {
  organisation?: string;
  /** Hub operations staff: may read every message and replay failures. */
  ops: boolean;
}

/** An ODS organisation code: letters and digits (3 to 10). */
const ODS_CODE = /^[A-Z0-9]{3,10}$/i;

export function identifyCaller(
  headers: Record<string, string | undefined>,
  opsOrganisations: ReadonlySet<string>,
): Caller {
  const encoded = headers[HEADERS.endUserOrganisation];
  if (!encoded) return { ops: false };
  const refuse = (why: string, code: 'invalid' | 'required' = 'invalid') =>
    new BadRequestError('Bad NHSD-End-User-Organisation', [issue(code, why, 'NHSD-End-User-Organisation')]);
  let organisation: unknown;
  try {
    organisation = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    throw refuse('NHSD-End-User-Organisation must be a Base64-encoded FHIR Organization (JSON)');
  }
  // Any JSON may arrive here: check each level's type before using it.
  const identifiers = (organisation as { identifier?: unknown } | null)?.identifier;
  if (!organisation || typeof organisation !== 'object' || !Array.isArray(identifiers)) {
    throw refuse('NHSD-End-User-Organisation must be a FHIR Organization with an identifier list');
  }
  const ods = identifiers.find(
    (i): i is { system: string; value: unknown } =>
      !!i &&
      typeof i === 'object' &&
      typeof i.system === 'string' &&
      canonicalSystem(i.system) === SYSTEMS.odsOrganisation,
  )?.value;
  if (ods === undefined) throw refuse('NHSD-End-User-Organisation has no ODS organisation code identifier', 'required');
  if (typeof ods !== 'string' || !ODS_CODE.test(ods)) {
    throw refuse('The ODS organisation code in NHSD-End-User-Organisation must be 3 to 10 letters and digits');
  }
  return { organisation: ods, ops: opsOrganisations.has(ods) };
}

export function requireOrganisation(caller: Caller): string {
  if (!caller.organisation)
    throw new UnauthorizedError('Caller unknown', [
      issue(
        'login',
        'Say who is calling: the NHSD-End-User-Organisation header (Base64 JSON Organization with an ODS code) is required',
      ),
    ]);
  return caller.organisation;
}

export function requireOps(caller: Caller): void {
  requireOrganisation(caller);
  if (!caller.ops) throw new ForbiddenError('Ops only', [issue('forbidden', 'Only hub operations staff may do this')]);
}

/** Encodes an organisation for the NHSD-End-User-Organisation header (used by clients, samples and tests). */
export function endUserOrganisationHeader(odsCode: string, name?: string): string {
  const organisation: Organization = {
    resourceType: 'Organization',
    identifier: [{ system: SYSTEMS.odsOrganisation, value: odsCode }],
    ...(name ? { name } : {}),
  };
  return Buffer.from(JSON.stringify(organisation)).toString('base64');
}
