import type { JSONWebKeySet, JWTPayload } from 'jose';

import type { Role } from '../auth.js';

/**
 * Why an organisation cannot hold a role, or undefined when it can: ops only in an organisation the hub names as
 * ops (HUB_OPS_ORGANISATIONS); the token endpoint drops such a role, and registering it is refused.
 */
export function roleRefusal(
  organisation: string,
  role: Role,
  opsOrganisations: ReadonlySet<string>,
): string | undefined {
  if (role === 'ops' && !opsOrganisations.has(organisation))
    return `${organisation} is not an ops organisation of this hub (${[...opsOrganisations].join(', ') || 'none'}): its clients cannot hold the ops role`;
  return undefined;
}

/** A registered system: its organisation, roles and the public keys its client assertions are checked against. */
export interface RegisteredClient {
  clientId: string;
  organisation: string;
  roles: readonly Role[];
  /** The client's public keys (JWKS); a rotation adds the new key before the old one is removed. */
  keys: JSONWebKeySet;
  /** Requests per throttling window; the hub's default when absent. */
  requestsPerWindow?: number;
  /** A disabled client gets no new tokens (its tokens lapse within ACCESS_TOKEN_SECONDS). */
  disabled?: boolean;
}

/** The claims of the hub's access tokens beyond the registered ones (iss, aud, sub, exp, iat, jti). */
export interface HubTokenClaims extends JWTPayload {
  /** The client id, or the person's user id, the token was issued to. */
  sub: string;
  /**
   * 'client' for a system, 'user' for a person signed in; 'hub' for the hub itself calling a receiver that registered
   * its endpoint with the hub's credentials (its audience is that endpoint, so the hub's own API never accepts it).
   */
  kind: 'client' | 'user' | 'hub';
  /** ODS code of the organisation the caller acts for. */
  organisation: string;
  roles: Role[];
  /** Requests the bearer may make per throttling window. */
  rate: number;
}

/** The registered clients (the Identity table on AWS and locally). */
export interface ClientRegistry {
  client(clientId: string): Promise<RegisteredClient | undefined>;
  register(client: RegisteredClient): Promise<void>;
}

/** Client assertions already used: a jti is accepted once while its assertion could still be valid. */
export interface AssertionLedger {
  /** True the first time (clientId, jti) is seen; false on any reuse. Kept until `keepUntil`. */
  firstUse(clientId: string, jti: string, keepUntil: Date): Promise<boolean>;
}

/** Request counts per client and fixed window, shared by every instance of the hub. */
export interface RequestCounter {
  /** Counts `permits` requests at once; false (and none counted) when the window cannot take them all under `limit`. */
  take(clientId: string, windowStart: Date, limit: number, keepUntil: Date, permits: number): Promise<boolean>;
}

/** The hub's token signing key: a key pair generated locally, an asymmetric KMS key on AWS. */
export interface TokenSigner {
  sign(claims: HubTokenClaims): Promise<string>;
  /** The public half, as served at /.well-known/jwks.json. */
  publicKeys(): Promise<JSONWebKeySet>;
}

/** The identity ports a hub runs with. */
/** What a session's last use says of it now. */
export type SessionState = 'live' | 'ended' | 'idle';

/**
 * People's sessions, shared by every instance of the hub: a session ends at sign-out (its token is refused from then
 * on, wherever it is presented) or after an idle while, however long its token has left.
 */
export interface SessionLedger {
  /** A new session, in use from `at`; forgotten after `until` (its token's expiry). */
  begin(sessionId: string, at: Date, until: Date): Promise<void>;
  /** Notes a use at `at` if the session is live and was last used after `idleSince`; else says why it is not. */
  use(sessionId: string, at: Date, idleSince: Date): Promise<SessionState>;
  /** Ends the session at once (sign-out). */
  end(sessionId: string): Promise<void>;
}

export interface IdentityAdapters {
  clients: ClientRegistry;
  assertions: AssertionLedger;
  requests: RequestCounter;
  signer: TokenSigner;
  sessions: SessionLedger;
}

/** What a person's identity provider says of them, from a verified ID token. */
export type IdTokenClaims = Record<string, unknown> & { sub: string; nonce?: string };

/** The OpenID Connect provider people sign in with: Cognito on AWS (or NHS CIS2), oidc-provider locally. */
export interface OidcProvider {
  /** Where to send the browser to sign in (authorization code flow with PKCE, S256). */
  authorizationUrl(request: {
    state: string;
    nonce: string;
    codeChallenge: string;
    redirectUri: string;
  }): Promise<string>;
  /** Exchanges the code for tokens and returns the ID token's claims, its signature, issuer and audience checked. */
  exchange(code: string, codeVerifier: string, redirectUri: string): Promise<IdTokenClaims>;
  /**
   * Where to send the browser to sign out at the provider too (OpenID Connect RP-initiated logout), coming back to
   * `postLogoutRedirectUri`; none when the provider offers no such endpoint.
   */
  endSessionUrl(postLogoutRedirectUri: string): Promise<string | undefined>;
}

/** A sign-in under way: kept between the redirect to the provider and its answer, used once. */
export interface PendingSignIn {
  codeVerifier: string;
  nonce: string;
  returnTo: string;
}

export interface PendingSignIns {
  remember(state: string, pending: PendingSignIn, keepUntil: Date): Promise<void>;
  /** The sign-in of `state`, removed as it is read: a state is good for one answer. */
  claim(state: string): Promise<PendingSignIn | undefined>;
}
