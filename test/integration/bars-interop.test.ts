import { randomUUID } from 'node:crypto';
import type { OperationOutcome } from 'fhir/r4';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBundle } from '../../core/fhir/bundle.js';
import { SYSTEMS } from '../../core/fhir/systems.js';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';
import { type LocalHub, startLocalHub } from '../../local/hub.js';
import {
  BARS_PRACTICE,
  barsExample,
  VALID_NHS_NUMBER,
  WATLING_PHARMACY,
  watlingReferral,
} from '../support/bars-examples.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

/**
 * The national BaRS examples sent to the hub as a practice's BaRS system and a pharmacy's BaRS receiver would,
 * followed to the receiver and back. Each test names the fields it changed, and checks that nothing else was.
 */
const PRACTICE = BARS_PRACTICE;
const LEAMINGTON_PHARMACY_DOS_ID = '2000000201';

const decode = (header: string) => JSON.parse(Buffer.from(header, 'base64').toString('utf8'));

describe('real BaRS messages in and out (the examples of uk.nhsdigital.bars.r4)', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: 0, policy: { baseDelaySeconds: 1, maxDelaySeconds: 2 } });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const referral = watlingReferral;
  const pushesOf = (id: string) => hub.receivers!.received.filter((r) => r.bundleId === id);
  const final = (id: string) =>
    eventually(() => messageStatus(hub.baseUrl, id, PRACTICE), untilStatus('delivered', 'failed'));

  describe('in: a BaRS sender is accepted as it is', () => {
    it('REFREQ03 (GP to community pharmacy, a5t1), addressed by DoS id, reaches the pharmacy unchanged', async () => {
      // Prepare
      const { bundle, changedPaths } = referral('REFREQ03');
      expect(changedPaths).toEqual([
        'id',
        'entry[0].resource.destination[0].endpoint',
        'entry[6].resource.identifier[0].value',
        'entry[12].resource.identifier[0].value',
      ]);
      const correlationId = randomUUID();
      // Act
      const answer = await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE, correlationId });
      // Assess: accepted, routed to the service it named and why; delivered as it was sent, with BaRS headers.
      expect(answer.status).toBe(202);
      expect(answer.body.issue[0].diagnostics).toContain(
        `routed to ${WATLING_PHARMACY.name} (${WATLING_PHARMACY.ods})`,
      );
      expect(answer.body.issue[0].diagnostics).toContain('under rule explicit-target');
      expect((await final(bundle.id!)).status).toBe('delivered');
      const [push] = pushesOf(bundle.id!);
      expect(push).toMatchObject({ behaviour: 'bars-pharmacy', status: 200, correlationId });
      const record = await messageStatus(hub.baseUrl, bundle.id!, PRACTICE);
      expect(record.route?.category).toBe('community-pharmacy');
      // Byte for byte: the hub passes the message on as a BaRS proxy does.
      const asDelivered = await hub.core.store.getBundle(bundle.id!);
      expect(asDelivered).toEqual(bundle);
    });

    it('REFREQ06 (GP to pharmacy blood pressure check, a5t3) is accepted and delivered', async () => {
      const { bundle, changedPaths } = referral('REFREQ06');
      expect(changedPaths).toHaveLength(4);
      expect((await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE })).status).toBe(202);
      expect((await final(bundle.id!)).status).toBe('delivered');
    });

    it('SERVREQ01 cancels the referral (reason update, revoked): matched by its ServiceRequest and case, the pharmacy told', async () => {
      // Prepare: the referral REFREQ03, then its cancellation in the same case (same ServiceRequest identity).
      const correlationId = randomUUID();
      const { bundle: original } = referral('REFREQ03');
      expect((await sendMessage(hub.baseUrl, original, { sender: PRACTICE, correlationId })).status).toBe(202);
      await final(original.id!);
      const { bundle, changedPaths } = barsExample('SERVREQ01', {
        sender: PRACTICE,
        nhsNumber: VALID_NHS_NUMBER,
        targetDosId: WATLING_PHARMACY.dosId,
        freshId: true,
      });
      expect(changedPaths).toEqual([
        'id',
        'entry[0].resource.destination[0].endpoint',
        'entry[2].resource.identifier[0].value',
        'entry[4].resource.identifier[0].value',
      ]);
      // Act
      const answer = await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE, correlationId });
      // Assess: sent where the referral went; the referral's state is final.
      expect(answer.status).toBe(202);
      expect(answer.body.issue[0].diagnostics).toContain(WATLING_PHARMACY.name);
      expect((await final(bundle.id!)).status).toBe('delivered');
      expect(pushesOf(bundle.id!)[0]).toMatchObject({ behaviour: 'bars-pharmacy', status: 200, correlationId });
      const referralNow = await messageStatus(hub.baseUrl, original.id!, PRACTICE);
      expect(referralNow.outcome).toBe('cancelled');
      // Its own delivery may still be under way: the cancellation is on its timeline, whatever came after.
      expect(referralNow.timeline.find((e) => e.type === 'cancelled')).toMatchObject({ relatedMessageId: bundle.id });
    });

    it('SERVREQ02 withdraws a referral sent in error (reason delete, entered-in-error)', async () => {
      const correlationId = randomUUID();
      const { bundle: original } = referral('REFREQ03');
      expect((await sendMessage(hub.baseUrl, original, { sender: PRACTICE, correlationId })).status).toBe(202);
      const { bundle, changedPaths } = barsExample('SERVREQ02', {
        sender: PRACTICE,
        nhsNumber: VALID_NHS_NUMBER,
        targetDosId: WATLING_PHARMACY.dosId,
        freshId: true,
      });
      expect(changedPaths).toHaveLength(4);
      expect((await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE, correlationId })).status).toBe(202);
      const referralNow = await messageStatus(hub.baseUrl, original.id!, PRACTICE);
      expect(referralNow.outcome).toBe('cancelled');
      expect(referralNow.timeline.find((e) => e.type === 'cancelled')?.detail).toBe(
        `${PRACTICE} withdrew the referral as sent in error`,
      );
    });

    it("a cancellation naming another ServiceRequest than the case's referral is refused (422), nothing stored", async () => {
      const correlationId = randomUUID();
      const { bundle: original } = referral('REFREQ03');
      expect((await sendMessage(hub.baseUrl, original, { sender: PRACTICE, correlationId })).status).toBe(202);
      const { bundle } = barsExample('SERVREQ01', { sender: PRACTICE, nhsNumber: VALID_NHS_NUMBER, freshId: true });
      const request = bundle.entry!.find((e) => e.resource?.resourceType === 'ServiceRequest')!;
      const other = `urn:uuid:${randomUUID()}`;
      (bundle.entry![0]!.resource as { focus: { reference: string }[] }).focus[0]!.reference = other;
      request.fullUrl = other;
      const answer = await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE, correlationId });
      expect(answer.status).toBe(422);
      expect(answer.body.issue[0].diagnostics).toContain('is not the referral of case');
      expect((await messageStatus(hub.baseUrl, original.id!, PRACTICE)).outcome).toBeUndefined();
    });

    it("REFRESP01, the pharmacy's response focused on its Encounter, is accepted and reaches the practice", async () => {
      const correlationId = randomUUID();
      const { bundle: original } = referral('REFREQ03');
      expect((await sendMessage(hub.baseUrl, original, { sender: PRACTICE, correlationId })).status).toBe(202);
      await final(original.id!);
      const { bundle, changedPaths } = barsExample('REFRESP01', {
        sender: WATLING_PHARMACY.ods,
        nhsNumber: VALID_NHS_NUMBER,
        respondsTo: original.id!,
        freshId: true,
      });
      expect(changedPaths).toEqual([
        'id',
        'entry[0].resource.response.identifier',
        'entry[5].resource.identifier[0].value',
        'entry[8].resource.identifier[0].value',
      ]);
      const answer = await sendMessage(hub.baseUrl, bundle, {
        sender: WATLING_PHARMACY.ods,
        role: 'receiver',
        correlationId,
      });
      expect(answer.status).toBe(202);
      const referralNow = await messageStatus(hub.baseUrl, original.id!, PRACTICE);
      // Its ServiceRequest is revoked: the pharmacy did not take the referral on.
      expect(referralNow.outcome).toBe('rejected');
      const mailbox = await eventually(
        async () =>
          (await call(hub.baseUrl, 'GET', '/mailbox', { headers: await asOrganisation(hub.baseUrl, PRACTICE) })).body
            .messages as { messageId: string }[],
        (messages) => messages.some((m) => m.messageId === bundle.id),
      );
      expect(mailbox.some((m) => m.messageId === bundle.id)).toBe(true);
    });
  });

  describe('refused as BaRS refuses', () => {
    it('REFREQ02 (999 to clinical assessment, a3t1): 422 not supported, naming it and what the network offers', async () => {
      const { bundle } = barsExample('REFREQ02', { sender: PRACTICE, nhsNumber: VALID_NHS_NUMBER, freshId: true });
      const answer = await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE });
      expect(answer.status).toBe(422);
      const [problem] = answer.body.issue;
      expect(problem.code).toBe('not-supported');
      expect(problem.details.coding[0]).toMatchObject({
        system: SYSTEMS.httpErrorCodes,
        code: 'REC_UNPROCESSABLE_ENTITY',
      });
      expect(problem.diagnostics).toContain('a3t1 (999 to CAS Referral)');
      expect(problem.diagnostics).toContain('a5t1 (Primary Care to Community Pharmacy)');
      expect(await hub.core.store.get(bundle.id!)).toBeUndefined();
    });

    it('REFREQ03 as published (its DoS id unknown here): 404 PROXY_NOT_FOUND naming the target', async () => {
      const { bundle } = barsExample('REFREQ03', { sender: PRACTICE, nhsNumber: VALID_NHS_NUMBER, freshId: true });
      const answer = await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE });
      expect(answer.status).toBe(404);
      expect(answer.body.issue[0]).toMatchObject({ code: 'not-found' });
      expect(answer.body.issue[0].details.coding[0].code).toBe('PROXY_NOT_FOUND');
      expect(answer.body.issue[0].diagnostics).toContain(`${SYSTEMS.dosServiceId}|111111111`);
    });

    it("a target of another network (Leamington's pharmacy) is unknown to a Watling practice: 404", async () => {
      const { bundle } = barsExample('REFREQ03', {
        sender: PRACTICE,
        nhsNumber: VALID_NHS_NUMBER,
        targetDosId: LEAMINGTON_PHARMACY_DOS_ID,
        freshId: true,
      });
      const answer = await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE });
      expect(answer.status).toBe(404);
      expect(answer.body.issue[0].diagnostics).toContain('Watling Street PCN');
    });

    it('the NHSD-Target-Identifier header wins over destination.endpoint', async () => {
      const { bundle } = referral('REFREQ03');
      const target = Buffer.from(JSON.stringify({ system: SYSTEMS.dosServiceId, value: '111111111' })).toString(
        'base64',
      );
      const answer = await sendMessage(hub.baseUrl, bundle, {
        sender: PRACTICE,
        headers: { 'nhsd-target-identifier': target },
      });
      expect(answer.status).toBe(404);
    });
  });

  describe('out: the hub is a BaRS sender to a BaRS receiver', () => {
    it('sends the BaRS headers a receiver checks: its own X-Request-Id, the case, the service, the practice', async () => {
      const { bundle } = referral('REFREQ03');
      const correlationId = randomUUID();
      await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE, correlationId, requestId: randomUUID() });
      await final(bundle.id!);
      const [push] = pushesOf(bundle.id!);
      // The simulated receiver refuses a request without them (400 REC_BAD_REQUEST): it answered 200.
      expect(push!.status).toBe(200);
      expect(push!.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(push!.correlationId).toBe(correlationId);
      expect(decode(push!.headers!['nhsd-target-identifier']!)).toEqual({
        system: SYSTEMS.dosServiceId,
        value: WATLING_PHARMACY.dosId,
      });
      expect(decode(push!.headers!['nhsd-end-user-organisation']!)).toMatchObject({
        resourceType: 'Organization',
        identifier: [{ system: SYSTEMS.odsOrganisation, value: PRACTICE }],
      });
    });

    it("carries the hub's own token where the endpoint is registered with it; the hub's API takes no such token", async () => {
      const { bundle } = referral('REFREQ03');
      await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE });
      await final(bundle.id!);
      const [push] = pushesOf(bundle.id!);
      const token = /^Bearer (.+)$/.exec(push!.headers!.authorization ?? '')![1]!;
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({
        iss: hub.baseUrl,
        aud: `http://localhost:4010/${WATLING_PHARMACY.ods}/bars-pharmacy`, // the endpoint as the network file names it
        sub: 'Z9HUB1',
        kind: 'hub',
      });
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(300);
      const misused = await call(hub.baseUrl, 'GET', '/messages', { headers: { authorization: `Bearer ${token}` } });
      expect(misused.status).toBe(401);
    });

    it("a BaRS receiver refuses a push without the hub's token (401 REC_UNAUTHORIZED)", async () => {
      const { bundle } = referral('REFREQ03');
      const endpoint = `${hub.receivers!.origin}/${WATLING_PHARMACY.ods}/bars-pharmacy/$process-message`;
      const headers = {
        'content-type': 'application/fhir+json',
        'x-request-id': randomUUID(),
        'x-correlation-id': randomUUID(),
        'nhsd-target-identifier': Buffer.from(JSON.stringify({ system: SYSTEMS.dosServiceId, value: '1' })).toString(
          'base64',
        ),
        'nhsd-end-user-organisation': Buffer.from(JSON.stringify({ resourceType: 'Organization' })).toString('base64'),
      };
      for (const authorization of [undefined, 'Bearer not-a-token']) {
        const answer = await fetch(endpoint, {
          method: 'POST',
          headers: { ...headers, ...(authorization ? { authorization } : {}) },
          body: JSON.stringify(bundle),
        });
        expect(answer.status).toBe(401);
        const outcome = (await answer.json()) as OperationOutcome;
        expect(outcome.issue[0]!.details?.coding?.[0]?.code).toBe('REC_UNAUTHORIZED');
      }
    });

    it.each([
      ['REC_UNPROCESSABLE_ENTITY', 422],
      ['REC_BAD_REQUEST', 400],
      ['REC_NOT_FOUND', 404],
    ])("%s fails it at once, and the practice gets the receiver's own answer", async (code, status) => {
      const { bundle } = referral('REFREQ03', `simulate ${code}`);
      await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE });
      const record = await final(bundle.id!);
      expect(record.status).toBe('failed');
      expect(pushesOf(bundle.id!).map((p) => p.status)).toEqual([status]);
      const notice = await noticeTo(record);
      const outcome = notice.entry!.find((e) => e.resource?.resourceType === 'OperationOutcome')!
        .resource as OperationOutcome;
      expect(outcome.issue[0]!.details?.coding?.[0]?.code).toBe(code);
      expect(outcome.issue[0]!.diagnostics).toBe(`Simulated ${code}, as the referral asked`);
    });

    it.each([
      ['REC_SERVER_ERROR', 500],
      ['REC_TOO_MANY_REQUESTS', 429],
    ])('%s is transient: sent again, then delivered', async (code, status) => {
      const { bundle } = referral('REFREQ03', `simulate ${code}`);
      await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE });
      expect((await final(bundle.id!)).status).toBe('delivered');
      expect(pushesOf(bundle.id!).map((p) => p.status)).toEqual([status, 200]);
    });

    it('409 REC_CONFLICT duplicate: the receiver already has it, so it is delivered', async () => {
      const { bundle } = referral('REFREQ03', 'simulate REC_CONFLICT');
      await sendMessage(hub.baseUrl, bundle, { sender: PRACTICE });
      const record = await final(bundle.id!);
      expect(record.status).toBe('delivered');
      expect(record.timeline.find((e) => e.type === 'delivered')?.detail).toContain('409 duplicate');
    });
  });

  async function noticeTo(record: MessageRecord): Promise<MessageBundle> {
    const notified = await eventually(
      () => messageStatus(hub.baseUrl, record.messageId, PRACTICE),
      (r) => r.timeline.some((e) => e.type === 'sender-notified'),
    );
    const noticeId = notified.timeline.find((e) => e.type === 'sender-notified')!.relatedMessageId!;
    const headers = await asOrganisation(hub.baseUrl, PRACTICE);
    const fetched = await eventually(
      () => call(hub.baseUrl, 'GET', `/mailbox/${noticeId}`, { headers }),
      (a) => a.status === 200,
    );
    return fetched.body as MessageBundle;
  }
});
