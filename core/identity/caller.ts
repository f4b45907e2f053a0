import { ANONYMOUS, type Caller } from '../auth.js';
import { BadRequestError, ForbiddenError, issue, UnauthorizedError } from '../errors.js';
import { canonicalSystem, HEADERS, SYSTEMS } from '../fhir/systems.js';
import { SESSION_COOKIE } from './sign-in.js';
import { type IdentityService, TokenRefusedError, type TokenSubject } from './tokens.js';

/** An ODS organisation code: letters and digits (3 to 10). */
const ODS_CODE = /^[A-Z0-9]{3,10}$/i;
const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i;

/** A cookie of the request, by name. */
export function cookieOf(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * The caller of a request: the bearer of a valid hub access token, from the Authorization header (systems) or the
 * session cookie (people in the web app); anonymous with neither, refused with 401 when it is not a valid token.
 * BaRS's NHSD-End-User-Organisation, when sent, must name the token's organisation: no one may act for another.
 */
export async function identifyCaller(
  headers: Record<string, string | undefined>,
  identity: Pick<IdentityService, 'verify'>,
): Promise<{ caller: Caller; token?: TokenSubject; fromCookie?: boolean }> {
  const authorization = headers.authorization;
  const session = authorization ? undefined : cookieOf(headers, SESSION_COOKIE);
  if (!authorization && !session) return { caller: ANONYMOUS };
  const bearer = authorization ? BEARER.exec(authorization)?.[1] : session;
  if (!bearer)
    throw new UnauthorizedError('Bad Authorization', [
      issue('login', 'The Authorization header must be "Bearer <access token>"', 'Authorization'),
    ]);
  let token: TokenSubject;
  try {
    token = await identity.verify(bearer);
  } catch (error) {
    if (error instanceof TokenRefusedError)
      throw new UnauthorizedError('Token refused', [issue('login', error.message, 'Authorization')]);
    throw error;
  }
  const asserted = headers[HEADERS.endUserOrganisation];
  if (asserted !== undefined) {
    const claimed = endUserOrganisation(asserted);
    if (claimed !== token.organisation)
      throw new ForbiddenError('Organisation mismatch', [
        issue(
          'forbidden',
          `NHSD-End-User-Organisation names ${claimed}, but this access token is for ${token.organisation}`,
          'NHSD-End-User-Organisation',
        ),
      ]);
  }
  return {
    caller: {
      organisation: token.organisation,
      roles: token.roles,
      ops: token.roles.includes('ops'),
      subject: token.subject,
    },
    token,
    fromCookie: !authorization,
  };
}

/** The ODS code in an NHSD-End-User-Organisation header (Base64 JSON FHIR Organization); any other JSON refused. */
function endUserOrganisation(encoded: string): string {
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
  return ods;
}
