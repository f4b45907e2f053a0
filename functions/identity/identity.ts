import type { Session } from '../../core/api/responses.js';
import { requireOrganisation } from '../../core/auth.js';
import { BadRequestError, issue, NotFoundError, UnsupportedMediaTypeError } from '../../core/errors.js';
import type { Hub } from '../../core/hub.js';
import { cookieOf } from '../../core/identity/caller.js';
import {
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  SIGN_IN_PATHS,
  SIGN_IN_SECONDS,
  type SignInService,
} from '../../core/identity/sign-in.js';
import { ASSERTION_ALGORITHMS, HUB_TOKEN_ALGORITHM, OAuthError, TOKEN_PATH } from '../../core/identity/tokens.js';
import { type HubRequest, httpHandler, MAX_BODY_BYTES, type Operations, refuseCrossSite } from '../lib/http.js';
import { WEB_APP_PATH } from '../lib/web-security.js';

const JSON_TYPE = 'application/json';
const FORM = /^application\/x-www-form-urlencoded\b/i;
/** Token answers must never be cached (RFC 6749 section 5.1). */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function form(request: HubRequest): URLSearchParams {
  if (!FORM.test(request.headers['content-type'] ?? ''))
    throw new UnsupportedMediaTypeError('Form expected', [
      issue('not-supported', 'Send the token request as application/x-www-form-urlencoded', 'Content-Type'),
    ]);
  const body = request.rawBody ?? '';
  if (Buffer.byteLength(body) > MAX_BODY_BYTES)
    throw new BadRequestError('Too large', [issue('too-long', 'Too large')]);
  return new URLSearchParams(body);
}

/** A cookie the page's scripts cannot read, sent back only over TLS (on an https hub) and only where it is needed. */
function cookie(
  name: string,
  value: string,
  options: { path: string; maxAge: number; sameSite: 'Lax' | 'Strict'; secure: boolean },
) {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAge}`,
    'HttpOnly',
    `SameSite=${options.sameSite}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

function signInOf(hub: Hub): SignInService {
  if (!hub.signIn)
    throw new NotFoundError('No sign-in', [
      issue('not-supported', 'Sign-in for people is not configured on this hub (no OpenID Connect provider)'),
    ]);
  return hub.signIn;
}

/** POST /oauth2/token: client credentials with a signed JWT client assertion; refusals in OAuth's words. */
const tokenEndpoint = (hub: Hub): Operations => ({
  [`POST ${TOKEN_PATH}`]: async (request) => {
    try {
      const token = await hub.identity.issueClientToken(form(request));
      return { status: 200, body: token, contentType: JSON_TYPE, headers: NO_STORE };
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      hub.metric('RequestRefused');
      return {
        status: error.status,
        body: { error: error.error, error_description: error.description },
        contentType: JSON_TYPE,
        headers: NO_STORE,
      };
    }
  },
});

/** People's sign-in through OpenID Connect, and sign-out (at the hub and at the provider). */
function signInRoutes(hub: Hub): Operations {
  // Read when used: the local hub learns its URL only once its server listens.
  const callbackUrl = () => `${hub.self.baseUrl}${SIGN_IN_PATHS.callback}`;
  const secure = () => hub.self.baseUrl.startsWith('https:');
  return {
    [`GET ${SIGN_IN_PATHS.login}`]: async (request) => {
      const { location, state } = await signInOf(hub).begin(callbackUrl(), request.query.return_to);
      return {
        status: 302,
        headers: { Location: location, 'Cache-Control': 'no-store' },
        // Lax: the provider sends the browser back here by a top-level navigation from its own site.
        cookies: [
          cookie(SIGN_IN_COOKIE, state, {
            path: SIGN_IN_PATHS.callback,
            maxAge: SIGN_IN_SECONDS,
            sameSite: 'Lax',
            secure: secure(),
          }),
        ],
      };
    },
    [`GET ${SIGN_IN_PATHS.callback}`]: async (request) => {
      const { session, returnTo } = await signInOf(hub).finish(
        request.query,
        cookieOf(request.headers, SIGN_IN_COOKIE),
        callbackUrl(),
      );
      return {
        status: 302,
        headers: { Location: returnTo, 'Cache-Control': 'no-store' },
        cookies: [
          cookie(SESSION_COOKIE, session.access_token, {
            path: '/',
            maxAge: session.expires_in,
            sameSite: 'Strict',
            secure: secure(),
          }),
          cookie(SIGN_IN_COOKIE, '', { path: SIGN_IN_PATHS.callback, maxAge: 0, sameSite: 'Lax', secure: secure() }),
        ],
      };
    },
    [`POST ${SIGN_IN_PATHS.logout}`]: async (request) => {
      // Sign-out ends the session at the hub, for every instance: its token is refused from now on, as a
      // cookie or as a bearer. Only the hub's own pages may end a browser's session.
      const session = cookieOf(request.headers, SESSION_COOKIE);
      if (session) {
        refuseCrossSite(request.headers, hub.self.baseUrl);
        await hub.identity.endSession(session);
      }
      // Then at the identity provider too (RP-initiated logout), so that signing in again asks who you are.
      const signOutAt = hub.signIn ? await hub.signIn.signOutAt(`${hub.self.baseUrl}${WEB_APP_PATH}/`) : undefined;
      return {
        status: 200,
        contentType: JSON_TYPE,
        body: signOutAt ? { signOutAt } : {},
        cookies: [cookie(SESSION_COOKIE, '', { path: '/', maxAge: 0, sameSite: 'Strict', secure: secure() })],
      };
    },
  };
}

/** Who is signed in; the public keys the hub's tokens are checked with, and its discovery document. */
const sessionAndKeys = (hub: Hub): Operations => ({
  'GET /auth/session': async (request) => ({
    status: 200,
    contentType: JSON_TYPE,
    body: {
      user: request.caller.subject,
      organisation: requireOrganisation(request.caller),
      roles: [...request.caller.roles],
    } satisfies Session,
  }),
  'GET /.well-known/jwks.json': async () => ({
    status: 200,
    body: await hub.identity.publicKeys(),
    contentType: JSON_TYPE,
    headers: { 'Cache-Control': 'public, max-age=300' },
  }),
  'GET /.well-known/openid-configuration': async () => {
    const issuer = hub.self.baseUrl; // read when asked: the local hub knows its URL only once it listens
    return {
      status: 200,
      contentType: JSON_TYPE,
      body: {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}${TOKEN_PATH}`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
        id_token_signing_alg_values_supported: [HUB_TOKEN_ALGORITHM],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
      },
    };
  },
});

/**
 * The hub as an OAuth 2.0 authorisation server for systems: POST /oauth2/token (client credentials with a signed JWT
 * client assertion), the public keys its tokens are checked with, and its discovery document (which API Gateway's
 * JWT authorizer reads to find those keys); and people's sign-in.
 */
export function createIdentityHandler(hub: Hub) {
  return httpHandler('identity', { ...tokenEndpoint(hub), ...signInRoutes(hub), ...sessionAndKeys(hub) }, hub);
}
