import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import type { SampleClient } from './sample-clients.js';

/** Where the local identity provider is mounted on the hub's own port. */
export const LOCAL_OIDC_PATH = '/oidc';
/** The hub's client at the local identity provider: public, so PKCE is its only proof (as a browser app's). */
export const LOCAL_OIDC_CLIENT_ID = 'pcn-referral-hub-local';
/** The scopes the hub asks for: `hub` carries the person's organisation and roles. */
export const LOCAL_OIDC_SCOPES = 'openid profile hub';

/** A sample person: one per sample organisation and role, signed in by their id with any password. */
export interface SamplePerson {
  id: string;
  name: string;
  organisation: string;
  roles: string[];
}

/** The sample people: one for each sample client's organisation and role (e.g. z9w101-receiver). */
export function samplePeople(clients: SampleClient[], names: Map<string, string>): SamplePerson[] {
  return clients.map((client) => ({
    id: client.clientId,
    name: `Sample ${client.role} at ${names.get(client.organisation) ?? client.organisation}`,
    organisation: client.organisation,
    roles: [client.role],
  }));
}

/**
 * An OpenID Connect provider on this machine (oidc-provider), standing in for Cognito or NHS CIS2 so the same sign-in
 * code runs with no cloud account: authorization code with PKCE, ID tokens carrying `organisation` and `roles`. Its
 * development sign-in page takes a sample person's id (e.g. z9w101-receiver) and any password.
 */
export function startIdentityProvider(options: {
  issuer: string;
  redirectUri: string;
  people: SamplePerson[];
  signingKey: JWK;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const people = new Map(options.people.map((p) => [p.id, p]));
  const configuration: Configuration = {
    clients: [
      {
        client_id: LOCAL_OIDC_CLIENT_ID,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name'], hub: ['organisation', 'roles'] },
    scopes: ['openid', 'profile', 'hub'],
    // The hub reads the person's organisation and roles from the ID token itself.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => {
      const person = people.get(id);
      if (!person) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: person.name, organisation: person.organisation, roles: person.roles }),
      };
    },
    // A sample person has nothing to consent to: the hub is the provider's only client.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope(LOCAL_OIDC_SCOPES);
      await grant.save();
      return grant;
    },
    jwks: { keys: [{ ...options.signingKey, use: 'sig', alg: 'RS256' }] as never },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: true } },
  };
  const provider = new Provider(options.issuer, configuration);
  const callback = provider.callback();
  // Mounted under LOCAL_OIDC_PATH, as express would: the provider sees its own paths, and the original URL.
  return (req, res) => {
    Object.assign(req, { originalUrl: req.url });
    req.url = req.url!.slice(LOCAL_OIDC_PATH.length) || '/';
    callback(req, res);
  };
}
