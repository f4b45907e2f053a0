import { createRemoteJWKSet, jwtVerify } from 'jose';
import { BadRequestError, issue, UnauthorizedError } from '../../core/errors.js';
import type { IdTokenClaims, OidcProvider } from '../../core/identity/identity-ports.js';

/** How long the hub waits for the identity provider (discovery, token exchange). */
const PROVIDER_TIMEOUT_MS = 5000;

/** Where a person signs in: any OpenID Connect provider, by its issuer URL (Cognito, NHS CIS2, the local one). */
export interface OidcSettings {
  /** Read when first needed (the local provider's URL is known once the hub listens). */
  readonly issuer: string;
  clientId: string;
  /** Only for a confidential client; a public client proves itself with PKCE alone. */
  clientSecret?: string;
  scopes: string;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  /** RP-initiated logout, where offered (NHS CIS2, the local provider; Cognito's discovery has none). */
  end_session_endpoint?: string;
}

/**
 * The relying party's side of the authorization code flow, over HTTP: discovery read once, the code exchanged at the
 * provider's token endpoint, the ID token checked against the provider's keys (jose), its issuer and audience.
 */
export class HttpOidcProvider implements OidcProvider {
  private discovery: Promise<Discovery> | undefined;
  private keys: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  private discover(): Promise<Discovery> {
    this.discovery ??= fetch(`${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`OpenID discovery at ${this.settings.issuer} answered ${response.status}`);
      return (await response.json()) as Discovery;
    });
    this.discovery.catch(() => {
      this.discovery = undefined; // try again next time
    });
    return this.discovery;
  }

  async authorizationUrl(request: { state: string; nonce: string; codeChallenge: string; redirectUri: string }) {
    const url = new URL((await this.discover()).authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: request.redirectUri,
      scope: this.settings.scopes,
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  async endSessionUrl(postLogoutRedirectUri: string): Promise<string | undefined> {
    const endpoint = (await this.discover()).end_session_endpoint;
    if (!endpoint) return undefined;
    const url = new URL(endpoint);
    url.search = new URLSearchParams({
      client_id: this.settings.clientId,
      post_logout_redirect_uri: postLogoutRedirectUri,
    }).toString();
    return url.toString();
  }

  async exchange(code: string, codeVerifier: string, redirectUri: string): Promise<IdTokenClaims> {
    const discovery = await this.discover();
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: codeVerifier,
        redirect_uri: redirectUri,
        client_id: this.settings.clientId,
        ...(this.settings.clientSecret ? { client_secret: this.settings.clientSecret } : {}),
      }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    const tokens = (await response.json()) as { id_token?: string; error?: string };
    // A code of another sign-in, used or expired: the browser starts again (400), never a failure of the hub's.
    if (!response.ok || !tokens.id_token)
      throw new BadRequestError('Code refused', [
        issue(
          'invalid',
          `The sign-in service refused this sign-in's code (${tokens.error ?? response.status}): sign in again`,
        ),
      ]);
    this.keys ??= createRemoteJWKSet(new URL(discovery.jwks_uri));
    try {
      const { payload } = await jwtVerify(tokens.id_token, this.keys, {
        issuer: discovery.issuer,
        audience: this.settings.clientId,
      });
      return payload as IdTokenClaims;
    } catch {
      throw new UnauthorizedError('ID token refused', [
        issue('login', 'The sign-in service answered with an ID token the hub cannot trust'),
      ]);
    }
  }
}
