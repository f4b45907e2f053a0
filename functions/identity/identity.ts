import { BadRequestError, issue, UnsupportedMediaTypeError } from '../../core/errors.js';
import type { Hub } from '../../core/hub.js';
import { ASSERTION_ALGORITHMS, HUB_TOKEN_ALGORITHM, OAuthError, TOKEN_PATH } from '../../core/identity/tokens.js';
import { type HubRequest, httpHandler, MAX_BODY_BYTES } from '../lib/http.js';

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

/**
 * The hub as an OAuth 2.0 authorisation server for systems: POST /oauth2/token (client credentials with a signed JWT
 * client assertion), the public keys its tokens are checked with, and its discovery document (which API Gateway's
 * JWT authorizer reads to find those keys).
 */
export function createIdentityHandler(hub: Hub) {
  return httpHandler(
    'identity',
    {
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
      'GET /.well-known/jwks.json': async () => ({
        status: 200,
        body: await hub.identity.publicKeys(),
        contentType: JSON_TYPE,
        headers: { 'Cache-Control': 'public, max-age=300' },
      }),
      'GET /.well-known/openid-configuration': async () => {
        const issuer = hub.hub.baseUrl; // read when asked: the local hub knows its URL only once it listens
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
    },
    hub,
  );
}
