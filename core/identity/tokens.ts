import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { isRole, type Role } from '../auth.js';
import type { Clock, HubLog, HubMetric } from '../ports.js';
import { type HubTokenClaims, type IdentityAdapters, roleRefusal } from './identity-ports.js';

/** How long a hub access token is valid (the NHS API platform's 10 minutes, less a second). */
export const ACCESS_TOKEN_SECONDS = 599;
/** A person's session ends after this long unused, however long its token has left (NHS guidance: 15–30 minutes). */
export const SESSION_IDLE_SECONDS = 30 * 60;
/** The longest client assertion taken (a signed JWT of a few claims is under 1 KB; RS256 keys make it ~1.5 KB). */
export const MAX_ASSERTION_CHARS = 8192;
/** The longest jti taken: a GUID is 36 characters; the ledger of used assertions keys on it. */
export const MAX_JTI_CHARS = 256;
/** How long the hub's own token for a receiver lives: a few deliveries' worth. */
const RECEIVER_TOKEN_SECONDS = 300;
/** A receiver token is renewed this long before it lapses, so no push carries one about to expire. */
const RECEIVER_TOKEN_RENEW_SECONDS = 60;
/** How far ahead a client assertion may expire: a short-lived proof, not a long-term credential. */
export const MAX_ASSERTION_SECONDS = 300;
/** Clock difference tolerated between a client and the hub. */
export const CLOCK_SKEW_SECONDS = 30;
/** Access tokens one instance remembers as verified, so a client's next requests skip the signature check. */
export const VERIFIED_TOKENS_KEPT = 1000;

/** Assertion algorithms accepted: asymmetric only (no shared secrets, no 'none'). */
export const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** The hub signs its own tokens with RS256 (an RSA KMS key on AWS). */
export const HUB_TOKEN_ALGORITHM = 'RS256';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const TOKEN_PATH = '/oauth2/token';
/** Where the hub's OpenID discovery document names its token endpoint (the audience of client assertions). */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/** An OAuth 2.0 error (RFC 6749 section 5.2): the token endpoint answers in OAuth's own shape, not FHIR's. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'unauthorized_client',
    readonly description: string,
  ) {
    super(description);
  }
  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}

/** A token the hub refused (missing, expired, forged, for another audience...). */
export class TokenRefusedError extends Error {}

export interface TokenSettings {
  /** The hub's issuer URL (its base URL): the `iss` and `aud` of its tokens; assertions are for its token URL. */
  readonly issuer: string;
  /** ODS codes whose clients and users may hold the ops role. */
  opsOrganisations: ReadonlySet<string>;
  /** Requests per client per THROTTLE_WINDOW_SECONDS unless its registration says otherwise. */
  requestsPerWindow: number;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** What a verified token says of its bearer. */
export interface TokenSubject {
  subject: string;
  kind: 'client' | 'user';
  organisation: string;
  roles: Role[];
  requestsPerWindow: number;
  /** A person's session (its token's jti), checked on every use; a client's token has none. */
  sessionId?: string;
}

/**
 * The hub as an OAuth 2.0 authorisation server for systems (client credentials with a signed JWT client assertion,
 * RFC 7523, as the NHS API platform's application-restricted pattern) and the verifier of its own access tokens.
 */
export class IdentityService {
  private hubKeys: ReturnType<typeof createLocalJWKSet> | undefined;
  /** Tokens verified here, oldest first, with what they say and when they expire (JWT exp). */
  private readonly verified = new Map<string, { subject: TokenSubject; exp: number }>();
  /** The hub's own tokens for receivers, by audience, each reused until shortly before it lapses. */
  private readonly receiverTokens = new Map<string, { token: Promise<string>; renewAt: number }>();

  constructor(
    private readonly settings: TokenSettings,
    private readonly adapters: IdentityAdapters,
    private readonly deps: { clock: Clock; log: HubLog; metric: (name: HubMetric) => void },
  ) {}

  // Read when used: the local hub learns its URL only once its server listens.
  private get tokenUrl() {
    return `${this.settings.issuer}${TOKEN_PATH}`;
  }

  private nowSeconds() {
    return Math.floor(this.deps.clock.now().getTime() / 1000);
  }

  /** Roles a caller of this organisation may hold: ops only in an ops organisation. */
  private allowedRoles(organisation: string, roles: readonly Role[]) {
    return roles.filter((role) => !roleRefusal(organisation, role, this.settings.opsOrganisations));
  }

  private async sign(
    claims: Pick<HubTokenClaims, 'sub' | 'kind' | 'organisation' | 'roles' | 'rate'>,
    lifetimeSeconds = ACCESS_TOKEN_SECONDS,
    audience = this.settings.issuer,
    jti = randomUUID(),
  ): Promise<IssuedToken> {
    const iat = this.nowSeconds();
    const token = await this.adapters.signer.sign({
      ...claims,
      iss: this.settings.issuer,
      aud: audience,
      iat,
      exp: iat + lifetimeSeconds,
      jti,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: lifetimeSeconds };
  }

  /** A hub access token's signature, issuer, audience, lifetime and claim shapes; what it says. */
  private async verifyToken(token: string): Promise<TokenSubject> {
    const known = this.verified.get(token);
    // The same bytes verified before say the same until they expire (with the skew jwtVerify allows).
    if (known && this.nowSeconds() < known.exp + CLOCK_SKEW_SECONDS)
      return { ...known.subject, roles: [...known.subject.roles] };
    this.hubKeys ??= createLocalJWKSet(await this.adapters.signer.publicKeys());
    let claims: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload: claims } = await jwtVerify(token, this.hubKeys, {
        issuer: this.settings.issuer,
        audience: this.settings.issuer,
        algorithms: [HUB_TOKEN_ALGORITHM],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: this.deps.clock.now(),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new TokenRefusedError(accessTokenProblem(error));
    }
    const subject = subjectOf(claims, this.settings.requestsPerWindow);
    this.verified.delete(token);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { subject: { ...subject, roles: [...subject.roles] }, exp: claims.exp! });
    return subject;
  }

  /**
   * The hub's own credentials for a receiver whose endpoint is registered with them: a short-lived token signed
   * with the hub's key (its JWKS at /.well-known/jwks.json), for that endpoint alone (aud), as the hub (sub).
   */
  async receiverToken(audience: string, hubOdsCode: string): Promise<string> {
    const cached = this.receiverTokens.get(audience);
    if (cached && cached.renewAt > this.nowSeconds()) return cached.token;
    const token = this.sign(
      { sub: hubOdsCode, kind: 'hub', organisation: hubOdsCode, roles: [], rate: 0 },
      RECEIVER_TOKEN_SECONDS,
      audience,
    ).then((issued) => issued.access_token);
    this.receiverTokens.set(audience, {
      token,
      renewAt: this.nowSeconds() + RECEIVER_TOKEN_SECONDS - RECEIVER_TOKEN_RENEW_SECONDS,
    });
    token.catch(() => this.receiverTokens.delete(audience));
    return token;
  }

  /** POST /oauth2/token: checks the client's signed assertion and issues a short-lived access token. */
  async issueClientToken(form: URLSearchParams): Promise<IssuedToken> {
    const { assertion, clientId } = assertionOf(form);
    const client = await this.adapters.clients.client(clientId);
    if (!client || client.disabled) {
      this.deps.metric('TokenRefused');
      throw new OAuthError('invalid_client', 'Unknown or disabled client');
    }
    let claims: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload: claims } = await jwtVerify(assertion, createLocalJWKSet(client.keys), {
        issuer: clientId,
        subject: clientId,
        audience: this.tokenUrl,
        algorithms: ASSERTION_ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: this.deps.clock.now(),
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (error) {
      this.deps.metric('TokenRefused');
      throw new OAuthError('invalid_client', assertionProblem(error, this.tokenUrl));
    }
    checkAssertionClaims(claims, this.nowSeconds());
    const keepUntil = new Date((claims.exp! + CLOCK_SKEW_SECONDS) * 1000);
    if (!(await this.adapters.assertions.firstUse(clientId, String(claims.jti), keepUntil))) {
      this.deps.metric('TokenRefused');
      throw new OAuthError('invalid_client', 'This assertion (jti) was used before: sign a new one for each request');
    }
    this.deps.log.info('token issued', { clientId, organisation: client.organisation });
    return this.sign({
      sub: client.clientId,
      kind: 'client',
      organisation: client.organisation,
      roles: this.allowedRoles(client.organisation, client.roles),
      rate: client.requestsPerWindow ?? this.settings.requestsPerWindow,
    });
  }

  /**
   * A token for a person signed in through OpenID Connect (the organisation and roles come from their claims). Its
   * jti names the session, which every instance then checks on each use: ended at sign-out, or idle too long.
   */
  async issueUserToken(
    user: { userId: string; organisation: string; roles: readonly Role[] },
    lifetimeSeconds = ACCESS_TOKEN_SECONDS,
  ): Promise<IssuedToken> {
    const sessionId = randomUUID();
    const now = this.deps.clock.now();
    await this.adapters.sessions.begin(sessionId, now, new Date(now.getTime() + lifetimeSeconds * 1000));
    return this.sign(
      {
        sub: user.userId,
        kind: 'user',
        organisation: user.organisation,
        roles: this.allowedRoles(user.organisation, user.roles),
        rate: this.settings.requestsPerWindow,
      },
      lifetimeSeconds,
      this.settings.issuer,
      sessionId,
    );
  }

  /** Sign-out: the session of a person's token ends at once, on every instance (a client's token has none). */
  async endSession(token: string): Promise<void> {
    const subject = await this.verifyToken(token).catch(() => undefined);
    if (subject?.sessionId) await this.adapters.sessions.end(subject.sessionId);
  }

  /**
   * Checks a hub access token: signature by the hub's key, issuer, audience, lifetime and claim shapes; and for a
   * person's, that its session is live: not signed out, and used within SESSION_IDLE_SECONDS.
   */
  async verify(token: string): Promise<TokenSubject> {
    const subject = await this.verifyToken(token);
    if (!subject.sessionId) return subject;
    const now = this.deps.clock.now();
    const state = await this.adapters.sessions.use(
      subject.sessionId,
      now,
      new Date(now.getTime() - SESSION_IDLE_SECONDS * 1000),
    );
    if (state === 'ended') throw new TokenRefusedError('This session was signed out: sign in again');
    if (state === 'idle')
      throw new TokenRefusedError(`This session was idle over ${SESSION_IDLE_SECONDS / 60} minutes: sign in again`);
    return subject;
  }

  async publicKeys() {
    return this.adapters.signer.publicKeys();
  }
}

/** What a verified hub token's claims say of its bearer; refused when they lack the hub's claims. */
function subjectOf(claims: Record<string, unknown>, defaultRequestsPerWindow: number): TokenSubject {
  const { sub, kind, organisation, roles, rate, jti } = claims as Partial<HubTokenClaims> & { rate?: unknown };
  if (
    typeof sub !== 'string' ||
    (kind !== 'client' && kind !== 'user') ||
    typeof organisation !== 'string' ||
    !Array.isArray(roles) ||
    !roles.every(isRole)
  )
    throw new TokenRefusedError('The access token lacks the hub claims (kind, organisation, roles)');
  if (kind === 'user' && typeof jti !== 'string')
    throw new TokenRefusedError("A person's token names its session (jti)");
  return {
    subject: sub,
    kind,
    organisation,
    roles,
    requestsPerWindow: typeof rate === 'number' ? rate : defaultRequestsPerWindow,
    ...(kind === 'user' && typeof jti === 'string' ? { sessionId: jti } : {}),
  };
}

/** The token request's form, checked before any key is read: the grant, the assertion's type, size and issuer. */
function assertionOf(form: URLSearchParams): { assertion: string; clientId: string } {
  if (form.get('grant_type') !== 'client_credentials')
    throw new OAuthError('unsupported_grant_type', 'grant_type must be client_credentials');
  if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE)
    throw new OAuthError('invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
  const assertion = form.get('client_assertion');
  if (!assertion) throw new OAuthError('invalid_request', 'client_assertion is required');
  if (assertion.length > MAX_ASSERTION_CHARS)
    throw new OAuthError('invalid_request', `client_assertion is over ${MAX_ASSERTION_CHARS} characters`);
  let clientId: unknown;
  let algorithm: unknown;
  try {
    clientId = decodeJwt(assertion).iss;
    algorithm = decodeProtectedHeader(assertion).alg;
  } catch {
    throw new OAuthError('invalid_request', 'client_assertion is not a signed JWT');
  }
  if (typeof clientId !== 'string' || !clientId)
    throw new OAuthError('invalid_client', 'The assertion has no issuer (iss: the client id)');
  if (form.has('client_id') && form.get('client_id') !== clientId)
    throw new OAuthError('invalid_client', 'client_id and the assertion issuer differ');
  if (typeof algorithm !== 'string' || !ASSERTION_ALGORITHMS.includes(algorithm))
    throw new OAuthError('invalid_client', `The assertion must be signed with one of ${ASSERTION_ALGORITHMS}`);
  return { assertion, clientId };
}

/** A verified assertion's lifetime and jti: short-lived, not from the future, a jti the ledger can hold. */
function checkAssertionClaims(claims: { exp?: number; iat?: number; jti?: unknown }, now: number) {
  if (claims.exp! > now + MAX_ASSERTION_SECONDS + CLOCK_SKEW_SECONDS)
    throw new OAuthError('invalid_client', `The assertion must expire within ${MAX_ASSERTION_SECONDS} s`);
  if (claims.iat !== undefined && claims.iat > now + CLOCK_SKEW_SECONDS)
    throw new OAuthError('invalid_client', 'The assertion was issued in the future (iat)');
  if (typeof claims.jti !== 'string' || claims.jti.length > MAX_JTI_CHARS)
    throw new OAuthError(
      'invalid_request',
      `The assertion's jti must be a string of at most ${MAX_JTI_CHARS} characters`,
    );
}

/** Why a client assertion failed, in words a client's developer can act on (never echoing the assertion). */
function assertionProblem(error: unknown, tokenUrl: string): string {
  if (error instanceof errors.JWTExpired) return 'The assertion has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return `The assertion's audience (aud) must be ${tokenUrl}`;
    if (error.claim === 'nbf') return 'The assertion is not yet valid (nbf)';
    return `The assertion's ${error.claim} claim is missing or wrong (iss and sub are the client id; exp and jti are required)`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'No registered key of this client matches the assertion (kid)';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "The assertion's signature does not match the client's registered key";
  if (error instanceof errors.JOSEAlgNotAllowed)
    return `The assertion must be signed with one of ${ASSERTION_ALGORITHMS}`;
  return 'The assertion could not be verified';
}

function accessTokenProblem(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The access token has expired: get a new one from the token endpoint';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'The access token is for another audience';
    if (error.claim === 'iss') return 'The access token was not issued by this hub';
    return `The access token's ${error.claim} claim is missing or wrong`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return "The access token's signature is not the hub's";
  return 'The access token is not a valid hub token';
}
