import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../core/fhir/systems.js';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import { BARS_PRACTICE, WATLING_PHARMACY, watlingReferral } from '../support/bars-examples.js';
import { asOrganisation, call, sendMessage } from '../support/http.js';

/**
 * What a BaRS party reads of the hub once the national examples are in it: its capability statement, a referral as
 * FHIR, the message definitions. (bars-interop.test.ts sends the examples in and follows them out.)
 */
const PRACTICE = BARS_PRACTICE;

describe('the reads a BaRS party expects of the hub (the examples of uk.nhsdigital.bars.r4)', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: 0, policy: { baseDelaySeconds: 1, maxDelaySeconds: 2 } });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const referral = watlingReferral;

  describe('the reads a BaRS party expects', () => {
    it('GET /metadata declares the BaRS messages the hub receives and sends, and its operation', async () => {
      const statement = (await call(hub.baseUrl, 'GET', '/metadata')).body;
      const supported = statement.messaging[0].supportedMessage.map(
        (m: { mode: string; definition: string }) => `${m.mode} ${m.definition}`,
      );
      for (const mode of ['receiver', 'sender'])
        for (const name of ['request-referral', 'response-referral', 'request-cancelled'])
          expect(supported).toContain(
            `${mode} https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-${name}`,
          );
      expect(statement.rest[0].operation[0].name).toBe('process-message');
      expect(statement.rest[0].resource.map((r: { type: string }) => r.type)).toEqual(
        expect.arrayContaining(['MessageDefinition', 'ServiceRequest', 'HealthcareService']),
      );
    });

    it('GET /MessageDefinition lists the BaRS message definitions, as NHS England publishes them', async () => {
      const answer = await call(hub.baseUrl, 'GET', '/MessageDefinition', {
        headers: await asOrganisation(hub.baseUrl, PRACTICE),
      });
      expect(answer.status).toBe(200);
      expect(answer.body.entry.map((e: { resource: { url: string } }) => e.resource.url).sort()).toEqual([
        'https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-request-cancelled',
        'https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-request-referral',
        'https://fhir.nhs.uk/MessageDefinition/bars-message-servicerequest-response-referral',
      ]);
    });

    it('GET /HealthcareService shows the pharmacy by its DoS id and the BaRS use cases it takes', async () => {
      const answer = await call(hub.baseUrl, 'GET', '/HealthcareService?service-type=a5t1', {
        headers: await asOrganisation(hub.baseUrl, PRACTICE),
      });
      const pharmacy = answer.body.entry.find(
        (e: { resource: { name: string } }) => e.resource.name === WATLING_PHARMACY.name,
      ).resource;
      expect(pharmacy.identifier).toContainEqual({ system: SYSTEMS.dosServiceId, value: WATLING_PHARMACY.dosId });
      expect(pharmacy.type.map((t: { coding: { system: string; code: string }[] }) => t.coding[0])).toEqual([
        { system: SYSTEMS.barsUseCase, code: 'a5t1' },
        { system: SYSTEMS.barsUseCase, code: 'a5t2' },
        { system: SYSTEMS.barsUseCase, code: 'a5t3' },
      ]);
    });

    it('GET /ServiceRequest/{id} gives a party of the case its referral, as sent and as it stands; others 404', async () => {
      const correlationId = randomUUID();
      const { bundle } = referral('REFREQ03');
      expect((await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE, correlationId })).status).toBe(202);
      const id = '236bb75d-90ef-461f-b71e-fde7f899802c'; // the example's ServiceRequest, by its fullUrl
      const read = async (ods: string, role?: 'receiver') =>
        call(hub.baseUrl, 'GET', `/ServiceRequest/${id}`, {
          headers: { ...(await asOrganisation(hub.baseUrl, ods, role)), 'x-correlation-id': correlationId },
        });
      const asSender = await read(PRACTICE);
      expect(asSender.status).toBe(200);
      const sent = bundle.entry!.find((e) => e.resource?.resourceType === 'ServiceRequest')!.resource;
      expect(asSender.body).toEqual({ ...sent, id });
      expect((await read(WATLING_PHARMACY.ods, 'receiver')).status).toBe(200);
      expect((await read('Z9W101', 'receiver')).status).toBe(404); // social prescribing: not a party
      // By the referral's message id too.
      const byMessage = await call(hub.baseUrl, 'GET', `/ServiceRequest/${bundle.id}`, {
        headers: await asOrganisation(hub.baseUrl, PRACTICE),
      });
      expect(byMessage.body.id).toBe(id);
    });
  });

  /** The hub's fatal-error notice about a failed referral, as the practice fetches it from its mailbox. */
});
