import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIR_JSON, SYSTEMS } from '../../core/fhir/systems.js';
import { DynamoIdentityStore } from '../../functions/lib/dynamo-identity.js';
import { MAX_BODY_BYTES } from '../../functions/lib/http.js';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { registerSampleClients, SAMPLE_CLIENT_ALGORITHM } from '../../local/sample-clients.js';
import { careHomeTaskMessage, referralMessage } from '../../local/sample-messages.js';
import { requestAccessToken } from '../../local/token-client.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const BARS = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'bars-api');
const HILLTOPS = SAMPLE_PRACTICE;

/** Every refusal is a FHIR OperationOutcome with a BaRS http-error-code, never a 5xx. */
function expectRefusal(answer: { status: number; body: any }, status: number, barsCode: string) {
  expect(answer.status).toBe(status);
  expect(answer.body.resourceType).toBe('OperationOutcome');
  for (const issue of answer.body.issue) {
    expect(issue.details.coding[0]).toMatchObject({ system: SYSTEMS.httpErrorCodes, code: barsCode });
    expect(issue.diagnostics).toEqual(expect.any(String));
  }
}

describe('the $process-message contract', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: false });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const post = async (rawBody: string, headers: Record<string, string> = {}) =>
    call(hub.baseUrl, 'POST', '/$process-message', {
      headers: {
        'content-type': FHIR_JSON,
        'x-request-id': crypto.randomUUID(),
        'x-correlation-id': crypto.randomUUID(),
        ...(await asOrganisation(hub.baseUrl, HILLTOPS)),
        ...headers,
      },
      rawBody,
    });

  describe('BaRS headers', () => {
    it('refuses a request without X-Request-Id and X-Correlation-Id, naming both', async () => {
      const answer = await call(hub.baseUrl, 'POST', '/$process-message', {
        headers: { 'content-type': FHIR_JSON, ...(await asOrganisation(hub.baseUrl, HILLTOPS)) },
        body: referralMessage(),
      });
      expectRefusal(answer, 400, 'SEND_BAD_REQUEST');
      expect(answer.body.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual([
        'X-Request-Id',
        'X-Correlation-Id',
      ]);
    });

    it('refuses an X-Request-Id that is not a GUID', async () => {
      const answer = await post(JSON.stringify(referralMessage()), { 'x-request-id': 'twelve' });
      expectRefusal(answer, 400, 'SEND_BAD_REQUEST');
      expect(answer.body.issue[0].expression).toEqual(['X-Request-Id']);
      expect(answer.headers.get('x-request-id')).toBe('twelve');
    });

    it('asks a caller that does not say who it is to authenticate (401)', async () => {
      const answer = await sendMessage(hub.baseUrl, referralMessage(), {
        headers: { authorization: '' },
      });
      expectRefusal(answer, 401, 'SEND_UNAUTHORIZED');
    });

    it('forbids sending as another practice (403)', async () => {
      const answer = await sendMessage(hub.baseUrl, referralMessage({ senderOds: HILLTOPS }), { sender: 'Z9W002' });
      expectRefusal(answer, 403, 'SEND_FORBIDDEN');
      expect(answer.body.issue[0].expression).toEqual(['Bundle.entry[0].resource.sender']);
    });

    it('refuses an NHSD-Target-Identifier that is not Base64 JSON', async () => {
      const answer = await sendMessage(hub.baseUrl, referralMessage(), {
        headers: { 'nhsd-target-identifier': 'not-base64-json' },
      });
      expectRefusal(answer, 400, 'SEND_BAD_REQUEST');
      expect(answer.body.issue[0].expression).toEqual(['NHSD-Target-Identifier']);
    });
  });

  describe('bad input of every kind gets a clear 4xx, never a 5xx', () => {
    it.each([
      ['an empty body', '', {}, 400, 'SEND_BAD_REQUEST'],
      ['a body that is not JSON', '{"resourceType": "Bundle",', {}, 400, 'SEND_BAD_REQUEST'],
      ['JSON that is not FHIR', '{"hello": "world"}', {}, 400, 'SEND_BAD_REQUEST'],
      ['the wrong resourceType', '{"resourceType": "Patient"}', {}, 400, 'SEND_BAD_REQUEST'],
      ['a JSON array', '[]', {}, 400, 'SEND_BAD_REQUEST'],
      [
        'the wrong content type',
        JSON.stringify(referralMessage()),
        { 'content-type': 'text/plain' },
        415,
        'SEND_BAD_REQUEST',
      ],
      [
        'an Accept the hub cannot produce',
        JSON.stringify(referralMessage()),
        { accept: 'application/fhir+xml' },
        406,
        'SEND_NOT_ACCEPTABLE',
      ],
      [
        'a body over the size limit',
        JSON.stringify({ ...referralMessage(), padding: 'x'.repeat(MAX_BODY_BYTES) }),
        {},
        413,
        'SEND_BAD_REQUEST',
      ],
      ['deeply nested JSON', `${'['.repeat(5000)}${']'.repeat(5000)}`, {}, 400, 'SEND_BAD_REQUEST'],
      [
        'deeply nested FHIR',
        JSON.stringify({
          ...referralMessage(),
          meta: JSON.parse(`${'{"extension":'.repeat(100)}{}${'}'.repeat(100)}`),
        }),
        {},
        400,
        'SEND_BAD_REQUEST',
      ],
      [
        'a huge array',
        JSON.stringify({ ...referralMessage(), entry: Array.from({ length: 10_000 }, () => ({})) }),
        {},
        400,
        'SEND_BAD_REQUEST',
      ],
      [
        'a Bundle of the wrong type',
        JSON.stringify({ ...referralMessage(), type: 'collection' }),
        {},
        400,
        'SEND_BAD_REQUEST',
      ],
    ])('%s', async (_, rawBody, headers, status, code) => {
      expectRefusal(await post(rawBody, headers), status, code);
    });

    it('an unknown event code is unprocessable (422), with the path to the event', async () => {
      const bundle = referralMessage();
      (bundle.entry![0]!.resource as { eventCoding: { code: string } }).eventCoding.code = 'prescription-request';
      const answer = await sendMessage(hub.baseUrl, bundle);
      expectRefusal(answer, 422, 'SEND_UNPROCESSABLE_ENTITY');
      expect(answer.body.issue[0]).toMatchObject({
        code: 'not-supported',
        expression: ['Bundle.entry[0].resource.eventCoding'],
      });
    });

    it('an invalid NHS number is refused with the path to it', async () => {
      const bundle = referralMessage({
        patient: { nhsNumber: '9000000001', family: 'X', given: 'Y', birthDate: '1970-01-01', postcode: 'MK4 1AA' },
      });
      const answer = await sendMessage(hub.baseUrl, bundle);
      expectRefusal(answer, 400, 'SEND_BAD_REQUEST');
      expect(answer.body.issue[0]).toMatchObject({
        code: 'value',
        expression: ['Bundle.entry[2].resource.identifier[0].value'],
      });
    });

    it('the real BaRS referral example is refused for its known defects, each with its path', async () => {
      const answer = await post(
        readFileSync(join(BARS, 'process_message__request__ValidationRequestPOST.json'), 'utf8'),
      );
      expectRefusal(answer, 400, 'SEND_BAD_REQUEST');
      expect(answer.body.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual(
        expect.arrayContaining(['Bundle.entry[5].resource.identifier[0].value', 'Bundle.entry[1].resource']),
      );
    });

    it('an unknown path is 404 and a wrong method 405, both as OperationOutcomes', async () => {
      expectRefusal(await call(hub.baseUrl, 'GET', '/Patient'), 404, 'SEND_NOT_FOUND');
      expectRefusal(await call(hub.baseUrl, 'GET', '/$process-message'), 405, 'SEND_METHOD_NOT_ALLOWED');
    });
  });

  describe('routing answers', () => {
    it('a client of an organisation outside every network is refused at once (403)', async () => {
      // Prepare: a client registered for an organisation that no network lists (e.g. one that left its PCN).
      const { privateKey } = await generateKeyPair(SAMPLE_CLIENT_ALGORITHM, { extractable: true });
      const client = {
        clientId: 'z9x999-sender',
        organisation: 'Z9X999',
        role: 'sender' as const,
        privateJwk: await exportJWK(privateKey),
      };
      await registerSampleClients(new DynamoIdentityStore(hub.core.documentClient, hub.core.settings.identityTable), [
        client,
      ]);
      const { accessToken } = await requestAccessToken(hub.baseUrl, client);
      // Act
      const answer = await sendMessage(hub.baseUrl, referralMessage({ senderOds: 'Z9X999' }), {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expectRefusal(answer, 403, 'SEND_FORBIDDEN');
      expect(answer.body.issue[0].diagnostics).toBe(
        'Organisation Z9X999 is not registered with the hub (no network it serves lists it)',
      );
    });

    it("an explicit target outside the sender's network is refused as an unknown target (404 PROXY_NOT_FOUND), naming it", async () => {
      const target = Buffer.from(JSON.stringify({ system: SYSTEMS.dosServiceId, value: '2000000201' })).toString(
        'base64',
      ); // Leamington's pharmacy
      const answer = await sendMessage(hub.baseUrl, referralMessage({ category: 'community-pharmacy' }), {
        headers: { 'nhsd-target-identifier': target },
      });
      expectRefusal(answer, 404, 'PROXY_NOT_FOUND');
      expect(answer.body.issue[0].code).toBe('not-found');
      expect(answer.body.issue[0].diagnostics).toContain(
        `${SYSTEMS.dosServiceId}|2000000201 does not exist in the endpoint catalogue of Watling Street PCN`,
      );
    });

    it('an explicit target the network allows is honoured', async () => {
      const target = Buffer.from(JSON.stringify({ system: SYSTEMS.dosServiceId, value: '2000000101' })).toString(
        'base64',
      );
      const answer = await sendMessage(hub.baseUrl, referralMessage({ category: 'community-pharmacy' }), {
        headers: { 'nhsd-target-identifier': target },
      });
      expect(answer.status).toBe(202);
      expect(answer.body.issue[0].diagnostics).toContain('under rule explicit-target');
    });

    it('a referral naming its service by SNOMED CT is routed by the category the code maps to', async () => {
      const answer = await sendMessage(hub.baseUrl, referralMessage({ snomedCode: '871731000000106' })); // Referral to social prescribing service
      expect(answer.status).toBe(202);
      expect(answer.body.issue[0].diagnostics).toContain('Milton Keynes Social Prescribing');
    });

    it('a SNOMED CT code the hub does not map is unprocessable (422), with the path to the category', async () => {
      const answer = await sendMessage(hub.baseUrl, referralMessage({ snomedCode: '183524004' }));
      expectRefusal(answer, 422, 'SEND_UNPROCESSABLE_ENTITY');
      expect(answer.body.issue[0]).toMatchObject({
        code: 'code-invalid',
        expression: ['Bundle.entry[1].resource.category'],
      });
    });

    it('a paused service diverts to its fallback (Leamington first contact physio to Warwick MSK)', async () => {
      const answer = await sendMessage(
        hub.baseUrl,
        referralMessage({ senderOds: 'Z9L001', category: 'first-contact-physiotherapy' }),
        { sender: 'Z9L001' },
      );
      expect(answer.status).toBe(202);
      expect(answer.body.issue[0].diagnostics).toContain('Warwick Hospital MSK Physiotherapy');
    });

    it("a care-home task goes to the care-home team of the resident's home", async () => {
      const task = careHomeTaskMessage({ senderOds: 'Z9W003', careHome: 'Z9WC01' });
      const answer = await sendMessage(hub.baseUrl, task, { sender: 'Z9W003' });
      expect(answer.status).toBe(202);
      expect(answer.body.issue[0].diagnostics).toContain('Watling Street PCN Care Home Team');
    });
  });

  describe('updates and cancellations', () => {
    it("a cancellation (reason update, status revoked) follows the referral to its service, not today's rules", async () => {
      const correlationId = crypto.randomUUID();
      const patient = {
        nhsNumber: '9000000009',
        family: 'Example',
        given: 'Alex',
        birthDate: '1956-03-14',
        postcode: 'MK4 2AB',
      };
      const referral = referralMessage({ patient });
      expect((await sendMessage(hub.baseUrl, referral, { correlationId })).body.issue[0].diagnostics).toContain(
        'Milton Keynes Social Prescribing',
      );
      // The patient moved to Stony Stratford: a new referral would now go to the local connectors.
      const moved = { ...patient, postcode: 'MK11 1AA' };
      const cancellation = await sendMessage(
        hub.baseUrl,
        referralMessage({ patient: moved, reason: 'update', status: 'revoked', changes: referral }),
        { correlationId },
      );
      expect(cancellation.status).toBe(202);
      expect(cancellation.body.issue[0].diagnostics).toContain('routed to Milton Keynes Social Prescribing (Z9W101)');
      expect((await sendMessage(hub.baseUrl, referralMessage({ patient: moved }))).body.issue[0].diagnostics).toContain(
        'Stony Stratford Community Connectors',
      );
    });

    it('an update for a case the hub does not know is refused (422)', async () => {
      const answer = await sendMessage(hub.baseUrl, referralMessage({ reason: 'update' }));
      expectRefusal(answer, 422, 'SEND_UNPROCESSABLE_ENTITY');
      expect(answer.body.issue[0].expression).toEqual(['X-Correlation-Id']);
    });
  });

  describe('duplicates (BaRS: same message identity already processed)', () => {
    it('a repeat of an accepted message gets 409 REC_CONFLICT duplicate and is not delivered twice', async () => {
      const bundle = referralMessage();
      const requestId = crypto.randomUUID();
      const correlationId = crypto.randomUUID();
      expect((await sendMessage(hub.baseUrl, bundle, { requestId, correlationId })).status).toBe(202);
      const repeat = await sendMessage(hub.baseUrl, bundle, { requestId, correlationId });
      expectRefusal(repeat, 409, 'REC_CONFLICT');
      expect(repeat.body.issue[0].code).toBe('duplicate');
      expect(repeat.body.issue[0].diagnostics).toContain(`Message ${bundle.id} was already received`);
      const record = await eventually(
        () => messageStatus(hub.baseUrl, bundle.id!, HILLTOPS),
        untilStatus('in-mailbox'),
      );
      expect(record.timeline.filter((e) => e.type === 'received')).toHaveLength(1);
    });

    it('the same message identity under a new X-Request-Id is still a duplicate', async () => {
      const bundle = referralMessage();
      expect((await sendMessage(hub.baseUrl, bundle)).status).toBe(202);
      expectRefusal(await sendMessage(hub.baseUrl, bundle), 409, 'REC_CONFLICT');
    });
  });
});
