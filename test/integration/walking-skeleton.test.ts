import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../core/fhir/systems.js';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { sampleClientId } from '../../local/sample-clients.js';
import { referralMessage } from '../../local/sample-messages.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const HILLTOPS = SAMPLE_PRACTICE;
const SOCIAL_PRESCRIBING = 'Z9W101';
const ADULT_SOCIAL_CARE = 'Z9W104';

describe('the local hub on its embedded default (sample networks, simulated receivers)', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: 0 });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('serves its CapabilityStatement at [base]/metadata', async () => {
    const answer = await call(hub.baseUrl, 'GET', '/metadata');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/fhir+json');
    expect(answer.body.resourceType).toBe('CapabilityStatement');
    // Like every answer of the API: kept by no cache, and no browser feature granted.
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('permissions-policy')).toContain('camera=()');
    expect(answer.body.rest[0].operation[0].name).toBe('process-message');
  });

  it('lists in its CapabilityStatement every directory search parameter that works', async () => {
    const statement = (await call(hub.baseUrl, 'GET', '/metadata')).body;
    const params = (type: string) =>
      statement.rest[0].resource
        .find((r: { type: string }) => r.type === type)
        .searchParam.map((p: { name: string }) => p.name)
        .sort();
    expect(params('Organization')).toEqual(['identifier', 'name']);
    expect(params('HealthcareService')).toEqual([
      'identifier',
      'name',
      'organization',
      'service-category',
      'service-type',
    ]);
    expect(params('Endpoint')).toEqual(['identifier', 'name', 'organization']);
    expect(params('Task')).toEqual(
      ['_lastUpdated', 'care-home', 'overdue', 'owner', 'patient:identifier', 'requester', 'status'].sort(),
    );
    // Each listed parameter is one the directory answers, not one it refuses.
    for (const [type, name, value] of [
      ['Organization', 'name', 'Hilltops'],
      ['Organization', 'identifier', HILLTOPS],
      ['Endpoint', 'name', 'mailbox'],
    ]) {
      const answer = await call(hub.baseUrl, 'GET', `/${type}?${name}=${value}`, {
        headers: await asOrganisation(hub.baseUrl, HILLTOPS),
      });
      expect(answer.status, `${type}?${name}`).toBe(200);
    }
    const byName = await call(hub.baseUrl, 'GET', '/Organization?name=Hilltops', {
      headers: await asOrganisation(hub.baseUrl, HILLTOPS),
    });
    expect(byName.body.total).toBe(1);
  });

  describe('a first referral: Hilltops Medical Centre to social prescribing', () => {
    const referral = referralMessage({ senderOds: HILLTOPS, category: 'social-prescribing' });
    const requestId = crypto.randomUUID();
    const correlationId = crypto.randomUUID();

    it('is accepted (202) with where it is going, and the BaRS ids echoed', async () => {
      const answer = await sendMessage(hub.baseUrl, referral, { sender: HILLTOPS, requestId, correlationId });
      expect(answer.status).toBe(202);
      expect(answer.headers.get('x-request-id')).toBe(requestId);
      expect(answer.headers.get('x-correlation-id')).toBe(correlationId);
      expect(answer.headers.get('location')).toBe(`messages/${referral.id}`);
      expect(answer.body.issue[0].diagnostics).toContain(
        'routed to Milton Keynes Social Prescribing (Z9W101) by mailbox under rule social-prescribing',
      );
    });

    it("is delivered through the queue to the social prescribing service's mailbox", async () => {
      const record = await eventually(
        () => messageStatus(hub.baseUrl, referral.id!, HILLTOPS),
        untilStatus('in-mailbox'),
      );
      expect(record.destination).toMatchObject({
        organisation: SOCIAL_PRESCRIBING,
        channel: 'mailbox',
        serviceId: 'mk-social-prescribing',
      });
      expect(record.route).toMatchObject({
        networkId: 'watling-street-pcn',
        ruleId: 'social-prescribing',
        category: 'social-prescribing',
      });
    });

    it("is listed in the receiver's mailbox and in no one else's", async () => {
      const mine = await call(hub.baseUrl, 'GET', '/mailbox', {
        headers: await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING),
      });
      expect(mine.status).toBe(200);
      expect(mine.body.messages.map((m: { messageId: string }) => m.messageId)).toContain(referral.id);
      const theirs = await call(hub.baseUrl, 'GET', '/mailbox', {
        headers: await asOrganisation(hub.baseUrl, ADULT_SOCIAL_CARE),
      });
      expect(theirs.body.messages.map((m: { messageId: string }) => m.messageId)).not.toContain(referral.id);
    });

    it("cannot be fetched from another organisation's mailbox (404, as if absent: ids cannot be probed)", async () => {
      const answer = await call(hub.baseUrl, 'GET', `/mailbox/${referral.id}`, {
        headers: await asOrganisation(hub.baseUrl, ADULT_SOCIAL_CARE),
      });
      expect(answer.status).toBe(404);
      expect(answer.body.resourceType).toBe('OperationOutcome');
    });

    it('is fetched by the receiver over HTTP as the FHIR message the practice sent', async () => {
      const answer = await call(hub.baseUrl, 'GET', `/mailbox/${referral.id}`, {
        headers: await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING),
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(referral);
      // The practice's own BaRS ids, as a pushed delivery carries them, so the receiver can discard copies.
      expect(answer.headers.get('x-request-id')).toBe(requestId);
      expect(answer.headers.get('x-correlation-id')).toBe(correlationId);
      // Each read of the patient's details is recorded, each time, with who read them.
      await call(hub.baseUrl, 'GET', `/mailbox/${referral.id}`, {
        headers: await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING),
      });
      const reads = (await messageStatus(hub.baseUrl, referral.id!, HILLTOPS)).timeline.filter(
        (e) => e.type === 'fetched',
      );
      expect(reads.map((e) => e.detail)).toEqual([
        `patient details read by ${SOCIAL_PRESCRIBING} (${sampleClientId(SOCIAL_PRESCRIBING, 'receiver')})`,
        `patient details read by ${SOCIAL_PRESCRIBING} (${sampleClientId(SOCIAL_PRESCRIBING, 'receiver')})`,
      ]);
    });

    it('leaves the mailbox when acknowledged, and acknowledging again is harmless', async () => {
      const first = await call(hub.baseUrl, 'POST', `/mailbox/${referral.id}/$acknowledge`, {
        headers: await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING),
      });
      expect(first.body).toEqual({ messageId: referral.id, status: 'acknowledged' });
      const again = await call(hub.baseUrl, 'POST', `/mailbox/${referral.id}/$acknowledge`, {
        headers: await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING),
      });
      expect(again.status).toBe(200);
      const listing = await call(hub.baseUrl, 'GET', '/mailbox', {
        headers: await asOrganisation(hub.baseUrl, SOCIAL_PRESCRIBING),
      });
      expect(listing.body.messages.map((m: { messageId: string }) => m.messageId)).not.toContain(referral.id);
    });

    it("stays in the receiver's list of what it has received, collected or not, and in no one else's", async () => {
      const received = async (ods: string) =>
        call(hub.baseUrl, 'GET', '/messages?box=received', { headers: await asOrganisation(hub.baseUrl, ods) });
      const mine = await received(SOCIAL_PRESCRIBING);
      expect(mine.body.messages.find((m: { messageId: string }) => m.messageId === referral.id)).toMatchObject({
        status: 'acknowledged',
        senderOrganisation: HILLTOPS,
      });
      const theirs = await received(ADULT_SOCIAL_CARE);
      expect(theirs.body.messages.map((m: { messageId: string }) => m.messageId)).not.toContain(referral.id);
      expect((await received(HILLTOPS)).body.messages.map((m: { messageId: string }) => m.messageId)).not.toContain(
        referral.id,
      );
    });

    it('names who it is about to its sender and its receiver (their worklists), and to no one else', async () => {
      // Prepare
      const asked = async (as: string, path: string) =>
        (await call(hub.baseUrl, 'GET', path, { headers: await asOrganisation(hub.baseUrl, as) })).body;
      const ours = (body: { messages: { messageId: string }[] }) =>
        body.messages.find((m) => m.messageId === referral.id);
      const patient = { name: 'Alex Example', nhsNumber: '9000000009', birthDate: '1956-03-14' };
      // Act and assess: the practice's list and page, the team's list; ops see neither, in a list or on the page.
      expect(ours(await asked(HILLTOPS, '/messages'))).toMatchObject({ patient });
      expect(await asked(HILLTOPS, `/messages/${referral.id}`)).toMatchObject({ patient });
      expect(ours(await asked(SOCIAL_PRESCRIBING, '/messages?box=received'))).toMatchObject({ patient });
      const opsPage = await asked(LOCAL_OPS_ODS, `/messages/${referral.id}`);
      expect(opsPage.messageId).toBe(referral.id);
      expect(opsPage.patient).toBeUndefined();
      expect(ours(await asked(LOCAL_OPS_ODS, '/messages'))).not.toHaveProperty('patient');
    });

    it("is found by its patient's NHS number (a keyed index): by ops, by its own parties, by no one else", async () => {
      // In the body, never in a URL (which proxies and CloudFront log).
      const search = async (as: string, nhsNumber: string) =>
        call(hub.baseUrl, 'POST', '/messages/$search', {
          headers: { ...(await asOrganisation(hub.baseUrl, as)), 'content-type': 'application/json' },
          body: { patient: nhsNumber },
        });
      const found = await search(LOCAL_OPS_ODS, '900 000 0009');
      expect(found.status).toBe(200);
      expect(found.body.messages.map((m: { messageId: string }) => m.messageId)).toContain(referral.id);
      expect((await search(LOCAL_OPS_ODS, '9449305552')).body.messages).toEqual([]); // another patient
      expect((await search(LOCAL_OPS_ODS, '9000000001')).status).toBe(422); // not an NHS number
      const ids = async (as: string) =>
        (await search(as, '9000000009')).body.messages.map((m: { messageId: string }) => m.messageId);
      expect(await ids(HILLTOPS)).toContain(referral.id);
      expect(await ids(SOCIAL_PRESCRIBING)).toContain(referral.id);
      expect(await ids(ADULT_SOCIAL_CARE)).not.toContain(referral.id);
      const inUrl = await call(hub.baseUrl, 'GET', '/messages?patient=9000000009', {
        headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
      });
      expect(inUrl.status).toBe(400);
    });

    it('is found with the rest of its case by its X-Correlation-Id, by ops and by its parties only', async () => {
      const inCase = async (as: string) =>
        (
          await call(hub.baseUrl, 'GET', `/messages?case=${correlationId}`, {
            headers: await asOrganisation(hub.baseUrl, as),
          })
        ).body.messages.map((m: { messageId: string }) => m.messageId);
      expect(await inCase(LOCAL_OPS_ODS)).toContain(referral.id);
      expect(await inCase(HILLTOPS)).toContain(referral.id);
      expect(await inCase(ADULT_SOCIAL_CARE)).toEqual([]);
    });

    it('is in the listing ops see of every message, newest first, paged', async () => {
      const ops = await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS);
      const all = await call(hub.baseUrl, 'GET', '/messages', { headers: ops });
      expect(all.status).toBe(200);
      expect(all.body.messages.map((m: { messageId: string }) => m.messageId)).toContain(referral.id);
      const created = all.body.messages.map((m: { createdAt: string }) => m.createdAt);
      expect(created).toEqual([...created].sort().reverse());
      const practice = await call(hub.baseUrl, 'GET', '/messages', {
        headers: await asOrganisation(hub.baseUrl, ADULT_SOCIAL_CARE),
      });
      expect(practice.body.messages.map((m: { messageId: string }) => m.messageId)).not.toContain(referral.id);
    });

    it('shows the sender its status and the whole timeline', async () => {
      const record = await messageStatus(hub.baseUrl, referral.id!, HILLTOPS);
      expect(record.status).toBe('acknowledged');
      expect(record.timeline.map((e) => e.type)).toEqual([
        'received',
        'validated',
        'routed',
        'queued',
        'in-mailbox',
        'fetched',
        'fetched',
        'acknowledged',
      ]);
      const list = await call(hub.baseUrl, 'GET', '/messages', {
        headers: await asOrganisation(hub.baseUrl, HILLTOPS),
      });
      expect(list.body.messages.map((m: { messageId: string }) => m.messageId)).toContain(referral.id);
    });

    it('is hidden from organisations that were not party to it (404, as if absent), but not from ops', async () => {
      expect(
        (
          await call(hub.baseUrl, 'GET', `/messages/${referral.id}`, {
            headers: await asOrganisation(hub.baseUrl, ADULT_SOCIAL_CARE),
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await call(hub.baseUrl, 'GET', `/messages/${referral.id}`, {
            headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
          })
        ).status,
      ).toBe(200);
    });
  });

  describe('a referral to community nursing (a FHIR endpoint that answers)', () => {
    it("is pushed, answered by the receiver, and the answers reach the practice's mailbox", async () => {
      const referral = referralMessage({ senderOds: HILLTOPS, category: 'community-nursing' });
      expect((await sendMessage(hub.baseUrl, referral, { sender: HILLTOPS })).status).toBe(202);
      const record = await eventually(
        () => messageStatus(hub.baseUrl, referral.id!, HILLTOPS),
        (r) => r.outcome === 'completed',
      );
      expect(record.status).toBe('delivered');
      expect(record.timeline.filter((e) => e.type === 'responded').map((e) => e.detail)).toEqual([
        'Z9W102 answered: accepted',
        'Z9W102 answered: completed',
      ]);
      const mailbox = await eventually(
        async () => call(hub.baseUrl, 'GET', '/mailbox', { headers: await asOrganisation(hub.baseUrl, HILLTOPS) }),
        (a) => a.body.messages.filter((m: { inReplyTo?: string }) => m.inReplyTo === referral.id).length === 2,
      );
      const answers = mailbox.body.messages.filter((m: { inReplyTo?: string }) => m.inReplyTo === referral.id);
      expect(answers.map((m: { outcome: string }) => m.outcome).sort()).toEqual(['accepted', 'completed']);
    });
  });

  describe("the directory over FHIR (for identified organisations: it names receivers' addresses)", () => {
    it('is not readable without saying who is asking', async () => {
      expect((await call(hub.baseUrl, 'GET', '/HealthcareService')).status).toBe(401);
    });

    it('finds the services of a category', async () => {
      const answer = await call(hub.baseUrl, 'GET', '/HealthcareService?service-category=social-prescribing', {
        headers: await asOrganisation(hub.baseUrl, HILLTOPS),
      });
      expect(answer.body.resourceType).toBe('Bundle');
      expect(answer.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(
        expect.arrayContaining(['mk-social-prescribing', 'warks-social-prescribing', 'harrow-social-prescribing']),
      );
    });

    it('reads a practice by its ODS code', async () => {
      const answer = await call(hub.baseUrl, 'GET', `/Organization/${HILLTOPS}`, {
        headers: await asOrganisation(hub.baseUrl, HILLTOPS),
      });
      expect(answer.body).toMatchObject({
        resourceType: 'Organization',
        name: 'Hilltops Medical Centre',
        identifier: [{ system: SYSTEMS.odsOrganisation, value: HILLTOPS }],
        partOf: { reference: 'Organization/Z9W000' },
      });
    });

    it("lists an organisation's endpoints (the BaRS-style endpoint catalogue)", async () => {
      const answer = await call(hub.baseUrl, 'GET', '/Endpoint?organization=Z9W102', {
        headers: await asOrganisation(hub.baseUrl, HILLTOPS),
      });
      expect(answer.body.entry[0].resource).toMatchObject({
        resourceType: 'Endpoint',
        connectionType: { code: 'hl7-fhir-msg' },
        payloadType: [{ coding: [{ code: 'bars' }] }],
      });
    });

    it('refuses a search parameter it does not support instead of ignoring it', async () => {
      const answer = await call(hub.baseUrl, 'GET', '/HealthcareService?colour=blue', {
        headers: await asOrganisation(hub.baseUrl, HILLTOPS),
      });
      expect(answer.status).toBe(400);
      expect(answer.body.issue[0].expression).toEqual(['colour']);
    });

    it('answers 404 with an OperationOutcome for an unknown resource', async () => {
      const answer = await call(hub.baseUrl, 'GET', '/Organization/NOPE1', {
        headers: await asOrganisation(hub.baseUrl, HILLTOPS),
      });
      expect(answer.status).toBe(404);
      expect(answer.body.issue[0].details.coding[0].code).toBe('SEND_NOT_FOUND');
    });
  });
});
