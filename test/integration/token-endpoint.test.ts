import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ASSERTION_TYPE, MAX_ASSERTION_SECONDS, TOKEN_PATH } from '../../core/identity/tokens.js';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { SAMPLE_CLIENT_ALGORITHM, type SampleClient, sampleClientId } from '../../local/sample-clients.js';
import { clientAssertion, clientOf } from '../../local/token-client.js';
import { call } from '../support/http.js';

/** A client assertion with chosen claims and header (what a careless or hostile client might sign). */
async function assertion(
  client: SampleClient,
  claims: Record<string, unknown>,
  options: { key?: JWK; alg?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const alg = options.alg ?? SAMPLE_CLIENT_ALGORITHM;
  return new SignJWT({
    iss: client.clientId,
    sub: client.clientId,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...claims,
  })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(await importJWK(options.key ?? client.privateJwk, alg));
}

describe('the token endpoint: OAuth 2.0 client credentials with a signed JWT assertion (RFC 7523)', () => {
  let hub: LocalHub;
  let client: SampleClient;
  let tokenUrl: string;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: false, requestsPerWindow: 5 });
    client = clientOf(hub.clients, SAMPLE_PRACTICE, 'sender');
    tokenUrl = `${hub.baseUrl}${TOKEN_PATH}`;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const exchange = (signed: string, extra: Record<string, string> = {}) =>
    call(hub.baseUrl, 'POST', TOKEN_PATH, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: signed,
        ...extra,
      }).toString(),
    });

  it('issues a short-lived bearer token for a registered client, never cached', async () => {
    const answer = await exchange(await clientAssertion(client, tokenUrl));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 599 });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    // The token works on the API, as that client's organisation.
    const mailbox = await call(hub.baseUrl, 'GET', '/mailbox', {
      headers: { authorization: `Bearer ${answer.body.access_token}` },
    });
    expect(mailbox.status).toBe(200);
  });

  it('publishes its discovery document and the public key its tokens are checked with', async () => {
    const discovery = (await call(hub.baseUrl, 'GET', '/.well-known/openid-configuration')).body;
    expect(discovery).toMatchObject({ issuer: hub.baseUrl, token_endpoint: tokenUrl });
    const jwks = (await call(hub.baseUrl, 'GET', '/.well-known/jwks.json')).body;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined(); // never the private half
  });

  it.each([
    ['a reused assertion (jti)', 'reuse', /used before/],
    ['an expired assertion', { exp: Math.floor(Date.now() / 1000) - 120 }, /expired/],
    ['an assertion issued in the future', { iat: Math.floor(Date.now() / 1000) + 600 }, /future|iat/],
    [
      'an assertion that lives too long',
      { exp: Math.floor(Date.now() / 1000) + 3600 },
      new RegExp(`within ${MAX_ASSERTION_SECONDS}`),
    ],
    ['an assertion for another audience', { aud: 'https://elsewhere.example.org/token' }, /audience/],
    ['an assertion without a jti', { jti: undefined }, /jti/],
    ['an assertion whose subject is another client', { sub: 'z9w002-sender' }, /sub/],
  ] as const)('refuses %s (401 invalid_client)', async (_, change, reason) => {
    const claims = { aud: tokenUrl, ...(change === 'reuse' ? {} : change) };
    const signed = await assertion(client, claims);
    if (change === 'reuse') expect((await exchange(signed)).status).toBe(200);
    const answer = await exchange(signed);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_client');
    expect(answer.body.error_description).toMatch(reason);
  });

  it('refuses an assertion signed with a key the client did not register', async () => {
    const { privateKey } = await generateKeyPair(SAMPLE_CLIENT_ALGORITHM, { extractable: true });
    const answer = await exchange(await assertion(client, { aud: tokenUrl }, { key: await exportJWK(privateKey) }));
    expect(answer.status).toBe(401);
    expect(answer.body.error_description).toMatch(/signature|key/);
  });

  it('refuses a weak algorithm: a shared-secret HS256 assertion', async () => {
    const secret = { kty: 'oct', k: Buffer.from('a-secret-anyone-could-guess').toString('base64url') };
    const answer = await exchange(await assertion(client, { aud: tokenUrl }, { key: secret, alg: 'HS256' }));
    expect(answer.status).toBe(401);
    expect(answer.body.error_description).toMatch(/one of RS256/);
  });

  it('refuses an unknown client, and a client_id that is not the assertion issuer', async () => {
    const stranger = { ...client, clientId: 'z9z999-sender' };
    expect((await exchange(await assertion(stranger, { aud: tokenUrl }))).body.error).toBe('invalid_client');
    const mismatch = await exchange(await clientAssertion(client, tokenUrl), {
      client_id: sampleClientId('Z9W002', 'sender'),
    });
    expect(mismatch.status).toBe(401);
  });

  it('refuses another grant type, a missing assertion, and a body that is not a form', async () => {
    const password = await call(hub.baseUrl, 'POST', TOKEN_PATH, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: 'grant_type=password&username=a&password=b',
    });
    expect([password.status, password.body.error]).toEqual([400, 'unsupported_grant_type']);
    const missing = await call(hub.baseUrl, 'POST', TOKEN_PATH, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(CLIENT_ASSERTION_TYPE)}`,
    });
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
    const json = await call(hub.baseUrl, 'POST', TOKEN_PATH, {
      headers: { 'content-type': 'application/json' },
      rawBody: '{}',
    });
    expect(json.status).toBe(415);
  });

  it('throttles a client over its rate with 429, Retry-After and an OperationOutcome, and not the others', async () => {
    // Prepare: this hub allows 5 requests per client per window; one practice's system loops.
    const greedy = await hub.tokens.headers(SAMPLE_PRACTICE, 'receiver');
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await call(hub.baseUrl, 'GET', '/mailbox', { headers: greedy }));
    const refused = answers.filter((a) => a.status === 429);
    // Assess: the requests over the limit are refused, each saying when to come back.
    expect(refused.length).toBeGreaterThanOrEqual(2); // 12 quick requests span at most two windows of 5
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused[0]!.body.resourceType).toBe('OperationOutcome');
    expect(refused[0]!.body.issue[0].details.coding[0].code).toBe('SEND_TOO_MANY_REQUESTS');
    // Another client of the network is not slowed by it.
    const other = await hub.tokens.headers('Z9W002', 'sender');
    expect((await call(hub.baseUrl, 'GET', '/mailbox', { headers: other })).status).toBe(200);
  });
});
