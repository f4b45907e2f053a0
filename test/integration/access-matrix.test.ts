import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../core/api/routes.js';
import type { Role } from '../../core/auth.js';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { careHomeTaskMessage, referralMessage, responseMessage } from '../../local/sample-messages.js';
import {
  type Answer,
  asOrganisation,
  call,
  eventually,
  messageStatus,
  sendMessage,
  untilStatus,
} from '../support/http.js';

/**
 * Who may call what, generated from the routes table: every route × every role, a caller of another organisation in
 * the same network and in another network, and tokens an attacker would try. A route added to the table without a
 * row in EXPECTED fails here.
 */

const PRACTICE = SAMPLE_PRACTICE; // Z9W001 refers to social prescribing
const SOCIAL_PRESCRIBING = 'Z9W101'; // its mailbox receives the referral
const CARE_HOME_PRACTICE = 'Z9W003'; // requests a care-home Task
const SAME_NETWORK = 'Z9W002';
const OTHER_NETWORK = 'Z9L001';

const CALLERS = {
  sender: { organisation: PRACTICE, role: 'sender' },
  receiver: { organisation: SOCIAL_PRESCRIBING, role: 'receiver' },
  ops: { organisation: LOCAL_OPS_ODS, role: 'ops' },
  'same network': { organisation: SAME_NETWORK, role: 'sender' },
  'other network': { organisation: OTHER_NETWORK, role: 'sender' },
} as const satisfies Record<string, { organisation: string; role: Role }>;
type CallerName = keyof typeof CALLERS;

/** The status each caller gets from each route (on the referral and Task made in beforeAll). */
const EXPECTED: Record<string, Record<CallerName, number>> = {
  'POST /$process-message': { sender: 202, receiver: 202, ops: 403, 'same network': 403, 'other network': 403 },
  'GET /metadata': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'POST /oauth2/token': { sender: 400, receiver: 400, ops: 400, 'same network': 400, 'other network': 400 },
  'GET /.well-known/jwks.json': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /.well-known/openid-configuration': {
    sender: 200,
    receiver: 200,
    ops: 200,
    'same network': 200,
    'other network': 200,
  },
  'GET /auth/login': { sender: 302, receiver: 302, ops: 302, 'same network': 302, 'other network': 302 },
  'GET /auth/callback': { sender: 400, receiver: 400, ops: 400, 'same network': 400, 'other network': 400 },
  'POST /auth/logout': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /auth/session': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /Organization': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /Organization/{id}': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /HealthcareService': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /HealthcareService/{id}': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /Endpoint': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /Endpoint/{id}': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /receivers/$health': { sender: 403, receiver: 403, ops: 200, 'same network': 403, 'other network': 403 },
  'GET /ops/overview': { sender: 403, receiver: 403, ops: 200, 'same network': 403, 'other network': 403 },
  'GET /ops/outcomes': { sender: 403, receiver: 403, ops: 200, 'same network': 403, 'other network': 403 },
  'GET /ops/alerts': { sender: 403, receiver: 403, ops: 200, 'same network': 403, 'other network': 403 },
  // A body without an alert or a note: past the access checks, ops are told what to send (422).
  'POST /ops/alerts/$acknowledge': { sender: 403, receiver: 403, ops: 422, 'same network': 403, 'other network': 403 },
  // Without its parameters ops are told what to ask (422); anyone else may not ask.
  // An empty object is not a valid network: ops are told why (200, change 'invalid').
  'POST /routing/$diff': { sender: 403, receiver: 403, ops: 200, 'same network': 403, 'other network': 403 },
  'GET /routing/networks': { sender: 403, receiver: 403, ops: 200, 'same network': 403, 'other network': 403 },
  'GET /routing/$explain': { sender: 403, receiver: 403, ops: 422, 'same network': 403, 'other network': 403 },
  // The team's own say (and ops'): a service of another organisation answers 404, as one that does not exist.
  'GET /HealthcareService/{id}/$availability': {
    sender: 403,
    receiver: 200,
    ops: 200,
    'same network': 403,
    'other network': 403,
  },
  // A body without acceptingReferrals: past the access checks, the team is told what to send (422).
  'POST /HealthcareService/{id}/$availability': {
    sender: 403,
    receiver: 422,
    ops: 422,
    'same network': 403,
    'other network': 403,
  },
  'GET /mailbox': { sender: 200, receiver: 200, ops: 403, 'same network': 200, 'other network': 200 },
  'GET /mailbox/{id}': { sender: 404, receiver: 200, ops: 403, 'same network': 404, 'other network': 404 },
  'POST /mailbox/{id}/$acknowledge': {
    sender: 404,
    receiver: 200,
    ops: 403,
    'same network': 404,
    'other network': 404,
  },
  'GET /messages': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /messages/{id}': { sender: 200, receiver: 200, ops: 200, 'same network': 404, 'other network': 404 },
  // A body without an NHS number: past the access checks, each is told what to send (each then finds its own only).
  'POST /messages/$search': { sender: 400, receiver: 400, ops: 400, 'same network': 400, 'other network': 400 },
  'GET /ServiceRequest/{id}': { sender: 200, receiver: 200, ops: 200, 'same network': 404, 'other network': 404 },
  'GET /MessageDefinition': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'POST /messages/{id}/$replay': { sender: 403, receiver: 403, ops: 409, 'same network': 403, 'other network': 403 },
  // Bodies without a selection or a reason: past the access checks, ops are told what to send (422).
  'POST /messages/$replay': { sender: 403, receiver: 403, ops: 422, 'same network': 403, 'other network': 403 },
  'POST /messages/{id}/$resend': { sender: 403, receiver: 403, ops: 422, 'same network': 403, 'other network': 403 },
  'GET /messages/{id}/$patient': { sender: 403, receiver: 403, ops: 200, 'same network': 403, 'other network': 403 },
  'GET /messages/{id}/$content': { sender: 403, receiver: 403, ops: 200, 'same network': 403, 'other network': 403 },
  'POST /messages/{id}/$withdraw': { sender: 403, receiver: 403, ops: 422, 'same network': 403, 'other network': 403 },
  // A body without service and reason: past the access checks, the receiver is told what to send (422).
  'POST /messages/{id}/$forward': { sender: 403, receiver: 422, ops: 403, 'same network': 403, 'other network': 403 },
  'GET /Task': { sender: 200, receiver: 200, ops: 200, 'same network': 200, 'other network': 200 },
  'GET /Task/{id}': { sender: 404, receiver: 404, ops: 200, 'same network': 404, 'other network': 404 },
};

describe('who may call what (generated from the routes table)', () => {
  let hub: LocalHub;
  let dataDir: string;
  let referralId: string;
  let correlationId: string;
  let taskId: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hub-matrix-'));
    hub = await startLocalHub({ port: 0, receiversPort: false, dataDir, fresh: true });
    const referral = referralMessage({ senderOds: PRACTICE, category: 'social-prescribing' });
    const sent = await sendMessage(hub.baseUrl, referral, { sender: PRACTICE });
    expect(sent.status).toBe(202);
    referralId = referral.id!;
    correlationId = sent.headers.get('x-correlation-id')!;
    await eventually(() => messageStatus(hub.baseUrl, referralId, PRACTICE), untilStatus('in-mailbox'));
    const task = careHomeTaskMessage({ senderOds: CARE_HOME_PRACTICE });
    expect((await sendMessage(hub.baseUrl, task, { sender: CARE_HOME_PRACTICE })).status).toBe(202);
    taskId = task.id!;
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A route's path with its ids filled in: the referral, the Task, or a directory entry. */
  function pathOf(route: (typeof ROUTES)[number]): string {
    const id = route.path.startsWith('/Task/')
      ? taskId
      : route.path.startsWith('/Organization/')
        ? PRACTICE
        : route.path.startsWith('/HealthcareService/')
          ? 'mk-social-prescribing'
          : route.path.startsWith('/Endpoint/')
            ? 'ep-z9w101-mailbox'
            : referralId;
    return route.path.replace('{id}', id);
  }

  /** What each caller sends: a referral of its own, the receiver's answer, a form without an assertion. */
  function bodyOf(route: (typeof ROUTES)[number], caller: CallerName) {
    const emptyJson = [
      'POST /messages/{id}/$forward',
      'POST /HealthcareService/{id}/$availability',
      'POST /messages/$replay',
      'POST /messages/{id}/$resend',
      'POST /messages/{id}/$withdraw',
      'POST /routing/$diff',
      'POST /messages/$search',
      'POST /ops/alerts/$acknowledge',
    ];
    if (emptyJson.includes(routeKey(route))) return { rawBody: '{}', type: 'application/json' };
    if (routeKey(route) === 'POST /oauth2/token')
      return { rawBody: 'grant_type=client_credentials', type: 'application/x-www-form-urlencoded' };
    if (routeKey(route) !== 'POST /$process-message') return {};
    const body =
      caller === 'receiver'
        ? responseMessage({ receiverOds: SOCIAL_PRESCRIBING, originalMessageId: referralId, taskStatus: 'accepted' })
        : referralMessage({ senderOds: PRACTICE, category: 'social-prescribing' }); // as the practice, whoever sends
    return { rawBody: JSON.stringify(body), type: 'application/fhir+json' };
  }

  async function request(route: (typeof ROUTES)[number], headers: Record<string, string>, caller: CallerName) {
    const { rawBody, type } = bodyOf(route, caller);
    return call(hub.baseUrl, route.method, pathOf(route), {
      headers: {
        ...headers,
        ...(type ? { 'content-type': type } : {}),
        'x-request-id': crypto.randomUUID(),
        'x-correlation-id': caller === 'receiver' ? correlationId : crypto.randomUUID(),
      },
      ...(rawBody ? { rawBody } : {}),
    });
  }

  const barsCode = (answer: Answer) => answer.body?.issue?.[0]?.details?.coding?.[0]?.code;

  it('has a row for every route of the routes table, and none for a route it lacks', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  const cells = ROUTES.flatMap((route) =>
    (Object.keys(CALLERS) as CallerName[]).map((caller) => [routeKey(route), caller, route] as const),
  );
  it.each(cells)('%s as %s', async (key, caller, route) => {
    const { organisation, role } = CALLERS[caller];
    const answer = await request(route, await asOrganisation(hub.baseUrl, organisation, role), caller);
    const expected = EXPECTED[key]?.[caller];
    expect(answer.status, String(JSON.stringify(answer.body)).slice(0, 400)).toBe(expected);
    if (expected === 403) expect(barsCode(answer)).toBe('SEND_FORBIDDEN');
    // Whatever another organisation may list, the referral and its patient are not in it (a 404 may repeat the
    // id the caller itself asked for, and nothing more).
    if (caller === 'same network' || caller === 'other network') {
      if (answer.status === 200) expect(JSON.stringify(answer.body)).not.toContain(referralId);
      expect(String(JSON.stringify(answer.body))).not.toContain('9000000009');
    }
  });

  describe('tokens an attacker would try', () => {
    let valid: string;
    let hubKey: JWK;
    beforeAll(async () => {
      valid = (await asOrganisation(hub.baseUrl, PRACTICE, 'sender')).authorization.replace('Bearer ', '');
      hubKey = JSON.parse(readFileSync(join(dataDir, 'identity', 'hub-token-key.json'), 'utf8')) as JWK;
    });

    /** The claims of a real token, signed again with `key` after `change`. */
    async function forged(change: Record<string, unknown>, key?: JWK) {
      const { kid } = (await call(hub.baseUrl, 'GET', '/.well-known/jwks.json')).body.keys[0];
      const signingKey = key ?? (await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey));
      return new SignJWT({ ...decodeJwt(valid), ...change })
        .setProtectedHeader({ alg: 'RS256', kid })
        .sign(await importJWK(signingKey, 'RS256'));
    }

    const now = () => Math.floor(Date.now() / 1000);
    const attacks: Record<string, () => Promise<Record<string, string>>> = {
      'no token': async () => ({}),
      'an expired token': async () => ({
        authorization: `Bearer ${await forged({ iat: now() - 7200, exp: now() - 3600 }, hubKey)}`,
      }),
      'a token signed by an unknown key': async () => ({ authorization: `Bearer ${await forged({})}` }),
      'a token for another audience': async () => ({
        authorization: `Bearer ${await forged({ aud: 'https://another-api.example.org' }, hubKey)}`,
      }),
      'a tampered payload (made ops)': async () => {
        const [header, , signature] = valid.split('.');
        const payload = Buffer.from(
          JSON.stringify({ ...decodeJwt(valid), organisation: LOCAL_OPS_ODS, roles: ['ops'] }),
        ).toString('base64url');
        return { authorization: `Bearer ${header}.${payload}.${signature}` };
      },
      'not a bearer token': async () => ({ authorization: 'Basic dXNlcjpwYXNzd29yZA==' }),
    };
    const attackCells = ROUTES.flatMap((route) =>
      Object.keys(attacks).map((a) => [routeKey(route), a, route] as const),
    );

    it.each(attackCells)('%s with %s', async (_, attack, route) => {
      const answer = await request(route, await attacks[attack]!(), 'sender');
      if (route.access === 'public') {
        expect([401, 403]).not.toContain(answer.status);
      } else {
        expect(answer.status).toBe(401);
        expect(barsCode(answer)).toBe('SEND_UNAUTHORIZED');
        expect(answer.body.resourceType).toBe('OperationOutcome');
      }
    });

    it('refuses a token whose organisation differs from NHSD-End-User-Organisation (403)', async () => {
      const headers = await asOrganisation(hub.baseUrl, PRACTICE, 'sender');
      const otherOrganisation = Buffer.from(
        JSON.stringify({
          resourceType: 'Organization',
          identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: SAME_NETWORK }],
        }),
      ).toString('base64');
      const answer = await call(hub.baseUrl, 'GET', '/messages', {
        headers: { ...headers, 'nhsd-end-user-organisation': otherOrganisation },
      });
      expect(answer.status).toBe(403);
      expect(answer.body.issue[0].diagnostics).toContain(`this access token is for ${PRACTICE}`);
    });
  });
});
