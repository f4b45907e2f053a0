import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, SignJWT } from 'jose';
import type { Role } from '../core/auth.js';
import { CLIENT_ASSERTION_TYPE, DISCOVERY_PATH } from '../core/identity/tokens.js';
import { SAMPLE_CLIENT_ALGORITHM, type SampleClient } from './sample-clients.js';

/** How long a client assertion lives: just long enough to reach the token endpoint. */
const ASSERTION_SECONDS = 60;
/** A token is renewed this long before it expires, so a request never carries one about to lapse. */
const RENEW_BEFORE_SECONDS = 30;

/**
 * A client's side of the hub's token endpoint, as an integrator's system would do it: sign a short-lived JWT
 * assertion with the client's private key (RFC 7523), exchange it for an access token.
 */
export async function clientAssertion(client: SampleClient, tokenUrl: string): Promise<string> {
  const { d: _private, ...publicJwk } = client.privateJwk;
  const key = await importJWK(client.privateJwk, SAMPLE_CLIENT_ALGORITHM);
  return new SignJWT({})
    .setProtectedHeader({ alg: SAMPLE_CLIENT_ALGORITHM, typ: 'JWT', kid: await calculateJwkThumbprint(publicJwk) })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(tokenUrl)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ASSERTION_SECONDS}s`)
    .sign(key);
}

/**
 * The hub's token endpoint as its discovery document names it: the audience an assertion must carry, whichever
 * spelling of the hub's address (localhost, 127.0.0.1, a proxy's) the client reached it by.
 */
export async function discoverTokenEndpoint(baseUrl: string): Promise<string> {
  const discovery = `${baseUrl}${DISCOVERY_PATH}`;
  const response = await fetch(discovery).catch((error: Error) => {
    throw new Error(`No hub answers at ${baseUrl} (${error.message}): is it running (npm start)?`);
  });
  const document = (await response.json().catch(() => ({}))) as { token_endpoint?: unknown };
  if (!response.ok || typeof document.token_endpoint !== 'string')
    throw new Error(`${discovery} answered ${response.status} without a token_endpoint: is ${baseUrl} the hub?`);
  return document.token_endpoint;
}

export async function requestAccessToken(
  baseUrl: string,
  client: SampleClient,
): Promise<{ accessToken: string; expiresIn: number }> {
  const tokenUrl = await discoverTokenEndpoint(baseUrl);
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await clientAssertion(client, tokenUrl),
    }),
  });
  const body = (await response.json()) as { access_token?: string; expires_in?: number; error_description?: string };
  if (!response.ok || !body.access_token)
    throw new Error(`The hub refused a token for ${client.clientId}: ${body.error_description ?? response.status}`);
  return { accessToken: body.access_token, expiresIn: body.expires_in ?? 0 };
}

/** The client of an organisation with a role; without a role, its first (sender for a practice). */
export function clientOf(clients: SampleClient[], organisation: string, role?: Role): SampleClient {
  const client = clients.find((c) => c.organisation === organisation && (!role || c.role === role));
  if (!client)
    throw new Error(`No sample client for ${organisation}${role ? ` with role ${role}` : ''}: is it in a network?`);
  return client;
}

/** Access tokens for sample clients, each fetched once and renewed before it lapses. */
export class TokenSource {
  private readonly tokens = new Map<string, Promise<{ accessToken: string; renewAt: number }>>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly clients: SampleClient[],
  ) {}

  async bearer(organisation: string, role?: Role): Promise<string> {
    const client = clientOf(this.clients, organisation, role);
    const cached = this.tokens.get(client.clientId);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.renewAt > Date.now()) return token.accessToken;
    }
    const fresh = requestAccessToken(this.baseUrl(), client).then(({ accessToken, expiresIn }) => ({
      accessToken,
      renewAt: Date.now() + (expiresIn - RENEW_BEFORE_SECONDS) * 1000,
    }));
    this.tokens.set(client.clientId, fresh);
    return (await fresh).accessToken;
  }

  /** The Authorization header of the organisation's client. */
  async headers(organisation: string, role?: Role): Promise<{ authorization: string }> {
    return { authorization: `Bearer ${await this.bearer(organisation, role)}` };
  }
}
