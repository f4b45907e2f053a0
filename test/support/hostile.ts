import fc from 'fast-check';
import { ROUTES } from '../../core/api/routes.js';
import { endUserOrganisationHeader } from '../../core/fhir/bars-headers.js';
import { LOCAL_OPS_ODS, SAMPLE_PRACTICE } from '../../local/identities.js';
import { referralMessage } from '../../local/sample-messages.js';

/** One request an attacker, a broken client or a fuzzer might send. */
export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Sent with a real token of this sample caller (so it gets past identity to the route's own code), or none. */
  as?: HostileCaller;
}

/** Who a hostile request is sent as: a practice's system, a receiving team's, or ops. */
export type HostileCaller = 'practice' | 'receiver' | 'ops';
export const HOSTILE_CALLERS: Record<HostileCaller, { organisation: string; role: 'sender' | 'receiver' | 'ops' }> = {
  practice: { organisation: SAMPLE_PRACTICE, role: 'sender' },
  receiver: { organisation: 'Z9W101', role: 'receiver' },
  ops: { organisation: LOCAL_OPS_ODS, role: 'ops' },
};

/** Keys JavaScript objects inherit, which a lookup by an untrusted name must never reach. */
const PROTOTYPE_KEY = fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf');

/** Every object and array inside a value, as [parent, key] slots, in document order. */
function slotsOf(root: unknown): [Record<string | number, unknown>, string | number][] {
  const slots: [Record<string | number, unknown>, string | number][] = [];
  const visit = (node: unknown) => {
    const children: [string | number, unknown][] = Array.isArray(node)
      ? [...node.entries()]
      : node && typeof node === 'object'
        ? Object.entries(node)
        : [];
    for (const [key, child] of children) {
      slots.push([node as Record<string | number, unknown>, key]);
      visit(child);
    }
  };
  visit(root);
  return slots;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');
const weirdText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '../../x',
    '<script>',
    'é',
    'x\uFFFF',
    '%E0%A4%A',
    '%00',
    'null',
    '{}',
    '\u0000',
    'a'.repeat(3000),
  ),
);
/** Any JSON value, including the ones no FHIR element expects. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 123, -1.5, true, [], {}, [null], { reference: 123 }, 'x'.repeat(20_000)),
  fc.array(fc.constant('x'), { maxLength: 600 }),
);

/** An identity header: real, for another organisation, or malformed in every way the header can be. */
const organisationHeader = fc.oneof(
  fc.constantFrom(endUserOrganisationHeader(SAMPLE_PRACTICE), endUserOrganisationHeader(LOCAL_OPS_ODS)),
  fc.constantFrom(
    base64(JSON.stringify({ resourceType: 'Organization', identifier: { system: 'x', value: 'y' } })),
    base64(JSON.stringify({ resourceType: 'Organization', identifier: 'Z9W001' })),
    base64(JSON.stringify({ resourceType: 'Organization', identifier: [null] })),
    base64(
      JSON.stringify({
        resourceType: 'Organization',
        identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 42 }],
      }),
    ),
    base64(
      JSON.stringify({
        resourceType: 'Organization',
        identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: { a: 1 } }],
      }),
    ),
    base64('null'),
    base64('[1,2]'),
    'not base64 !!!',
  ),
  anyJson.map((v) => base64(JSON.stringify(v))),
);

/** A path of the routes table with its parameters replaced by anything; or a path no route has. */
const path = fc.oneof(
  fc
    .record({ route: fc.constantFrom(...ROUTES), id: weirdText })
    .map(({ route, id }) => route.path.replace(/\{[^}]+\}/g, () => (id.startsWith('%') ? id : encodeURIComponent(id)))),
  fc.constantFrom('/messages/%E0%A4%A', '/mailbox/%', '/Task/%ZZ', '//', '/Patient', `/messages/${'a'.repeat(3000)}`),
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?cursor=abc', '?cursor=eyJ4IjoxfQ', '?status=failed', '?status=nope', '?_count=-1', '?_count=1e9'),
  fc
    .dictionary(fc.string({ minLength: 1, maxLength: 8 }), weirdText, { maxKeys: 3 })
    .map((q) => `?${new URLSearchParams(q)}`),
);

/** A referral with one element anywhere replaced by any JSON value. */
const mutatedReferral = fc.record({ where: fc.nat(), value: anyJson }).map(({ where, value }) => {
  const bundle = referralMessage() as unknown as Record<string, unknown>;
  const slots = slotsOf(bundle);
  const [parent, key] = slots[where % slots.length]!;
  parent[key] = value;
  return JSON.stringify(bundle);
});

/** A referral with a key JavaScript objects inherit (constructor, __proto__...) added to any of its objects. */
const prototypeKeyed = fc
  .record({ where: fc.nat(), key: PROTOTYPE_KEY, value: anyJson })
  .map(({ where, key, value }) => {
    const bundle = referralMessage() as unknown as Record<string, unknown>;
    const objects = [bundle, ...slotsOf(bundle).map(([p, k]) => p[k])].filter(
      (v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v),
    );
    // An own, enumerable property of that name, as JSON.parse makes one (assignment would set the prototype).
    Object.defineProperty(objects[where % objects.length]!, key, {
      value,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    return JSON.stringify(bundle);
  });

/** A referral with any one of its values replaced by arrays or objects nested thousands deep. */
const deepAnywhere = fc
  .record({ where: fc.nat(), depth: fc.integer({ min: 33, max: 10_000 }), arrays: fc.boolean() })
  .map(({ where, depth, arrays }) => {
    const bundle = referralMessage() as unknown as Record<string, unknown>;
    const slots = slotsOf(bundle);
    const [parent, key] = slots[where % slots.length]!;
    parent[key] = '__DEEP__';
    const nest = arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return JSON.stringify(bundle).replace('"__DEEP__"', nest);
  });

/** A referral with the id of one of its resources too long, or with characters no FHIR id has. */
const badResourceId = fc
  .record({ entry: fc.nat(), id: fc.constantFrom('x'.repeat(65), 'x\uFFFF', 'a b/../c', '', ' ', 'é') })
  .map(({ entry, id }) => {
    const bundle = referralMessage();
    bundle.entry![entry % bundle.entry!.length]!.resource!.id = id;
    return JSON.stringify(bundle);
  });

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token request whose client assertion has huge or strange claims (unsigned: the endpoint must refuse it in OAuth's words). */
const tokenRequestBody = fc
  .record({
    jti: fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer({ min: 1000, max: 200_000 }).map((n) => 'j'.repeat(n)),
    ),
    iss: fc.oneof(fc.constant('z9w001-sender'), weirdText),
    extra: anyJson,
    grant: fc.constantFrom('client_credentials', 'password', ''),
  })
  .map(({ jti, iss, extra, grant }) =>
    new URLSearchParams({
      grant_type: grant,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: `${base64url({ alg: 'ES256', kid: 'k' })}.${base64url({ iss, sub: iss, jti, extra, exp: 9e9 })}.c2ln`,
    }).toString(),
  );

const deep = fc.integer({ min: 40, max: 5000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
const body = fc.oneof(
  mutatedReferral,
  mutatedReferral,
  prototypeKeyed,
  prototypeKeyed,
  deepAnywhere,
  badResourceId,
  tokenRequestBody,
  anyJson.map((v) => JSON.stringify(v)),
  deep,
  fc.constantFrom(
    '{',
    '{"resourceType":"Bundle"',
    '\u0000',
    'null',
    '[]',
    `{"resourceType":"Bundle","id":"${'x'.repeat(958_000)}"}`,
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const guid = fc.uuid();
const barsIds = fc.oneof(
  fc.record({ 'x-request-id': guid, 'x-correlation-id': guid }),
  fc.record({ 'x-request-id': weirdText, 'x-correlation-id': weirdText }),
  fc.constant({}),
);

/** Requests across every route: broken JSON, wrong types anywhere, huge and deep values, header and path abuse. */
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'POST'), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH')),
    path,
    query,
    organisation: fc.option(organisationHeader, { nil: undefined }),
    ids: barsIds,
    contentType: fc.constantFrom(
      'application/fhir+json',
      'application/json',
      'text/plain',
      'application/fhir+json; charset=utf-8',
      'application/x-www-form-urlencoded',
    ),
    as: fc.option(fc.constantFrom<HostileCaller>('practice', 'receiver', 'ops'), { nil: undefined }),
    accept: fc.option(fc.constantFrom('application/fhir+json', 'text/html', '*/*', 'application/xml'), {
      nil: undefined,
    }),
    target: fc.option(
      fc.oneof(
        anyJson.map((v) => base64(JSON.stringify(v))),
        weirdText,
      ),
      { nil: undefined },
    ),
    body: fc.option(body, { nil: undefined }),
  })
  .map((r) => ({
    method: r.method,
    path: `${r.path}${r.query}`,
    headers: {
      'content-type': r.contentType,
      ...(r.accept ? { accept: r.accept } : {}),
      ...(r.organisation ? { 'nhsd-end-user-organisation': r.organisation } : {}),
      ...(r.target ? { 'nhsd-target-identifier': r.target.replace(/[^\x20-\x7e]/g, '?') } : {}),
      ...Object.fromEntries(Object.entries(r.ids).map(([k, v]) => [k, String(v).replace(/[^\x20-\x7e]/g, '?')])),
    },
    ...(r.body !== undefined && r.method !== 'GET' ? { body: r.body } : {}),
    ...(r.as ? { as: r.as } : {}),
  }));

/** What one hostile request got: its status, its answer's text and type, and how long it took. */
export interface HostileAnswer {
  status: number;
  text: string;
  type: string | null;
  ms: number;
}

/** Sends a hostile request to a hub, with a real token of its caller when it has one. */
export async function sendHostile(
  baseUrl: string,
  request: HostileRequest,
  bearer: (caller: HostileCaller) => Promise<string>,
): Promise<HostileAnswer> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: {
      ...request.headers,
      ...(request.as ? { authorization: `Bearer ${await bearer(request.as)}` } : {}),
    },
    redirect: 'manual', // the hub's own answer (sign-in redirects to the identity provider)
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started, type: response.headers.get('content-type') };
}
