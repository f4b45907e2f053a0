import fc from 'fast-check';
import { endUserOrganisationHeader } from '../../core/fhir/bars-headers.js';
import { ROUTES } from '../../functions/lib/resources.js';
import { LOCAL_OPS_ODS, SAMPLE_PRACTICE } from '../../local/identities.js';
import { referralMessage } from '../../local/messages.js';

/** One request an attacker, a broken client or a fuzzer might send. */
export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
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
const mutatedReferral = fc.record({ where: fc.nat(), value: anyJson, seed: fc.nat() }).map(({ where, value }) => {
  const bundle = referralMessage() as unknown as Record<string, unknown>;
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const visit = (node: unknown) => {
    const children: [string | number, unknown][] = Array.isArray(node)
      ? [...node.entries()]
      : node && typeof node === 'object'
        ? Object.entries(node)
        : [];
    for (const [key, child] of children) {
      slots.push([node as Record<string, unknown>, key]);
      visit(child);
    }
  };
  visit(bundle);
  const [parent, key] = slots[where % slots.length]!;
  (parent as Record<string | number, unknown>)[key] = value;
  return JSON.stringify(bundle);
});
const deep = fc.integer({ min: 40, max: 5000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
const body = fc.oneof(
  mutatedReferral,
  mutatedReferral,
  mutatedReferral,
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
    ),
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
  }));
