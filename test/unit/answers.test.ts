import { describe, expect, it } from 'vitest';
import { deliverMessage } from '../../core/services/delivery.js';
import { ingestMessage } from '../../core/services/ingest.js';
import { referralMessage } from '../../local/sample-messages.js';
import { BOTH_ROLES, testDependencies } from '../support/in-memory.js';
import { testNetwork } from '../support/networks.js';

/** What a sender learns from one refusal: everything the message lets the hub see, each problem once. */
describe('answers a sender can act on', () => {
  const refusal = async (body: unknown, caller = 'Z8T001') => {
    const hub = testDependencies([testNetwork()]);
    return ingestMessage(hub, {
      body,
      requestId: crypto.randomUUID(),
      correlationId: crypto.randomUUID(),
      caller: { organisation: caller, ops: false, roles: BOTH_ROLES },
    }).catch(
      (error: { status: number; issues: { code: string; diagnostics: string; expression?: string }[] }) => error,
    );
  };

  it('name both an invalid message and a sender that is not the caller in the first answer', async () => {
    const bundle = referralMessage({ senderOds: 'Z8T002' }) as unknown as Record<string, any>;
    bundle.entry[1].resource.status = 'bogus';
    const answer = (await refusal(bundle)) as { status: number; issues: { code: string; expression?: string }[] };
    expect(answer.status).toBe(400);
    expect(answer.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['forbidden']));
    expect(answer.issues.length).toBeGreaterThan(1);
  });

  it('list the CodeSystem and every accepted code when no service can be told from the referral (hub-sr-1)', async () => {
    const bundle = referralMessage() as unknown as Record<string, any>;
    const request = bundle.entry.find(
      (e: { resource: { resourceType: string } }) => e.resource.resourceType === 'ServiceRequest',
    ).resource;
    delete request.category;
    delete request.code;
    const answer = (await refusal(bundle, 'Z9W001')) as { issues: { diagnostics: string }[] };
    const hubSr1 = answer.issues.find((i) => i.diagnostics.startsWith('hub-sr-1'))!;
    expect(hubSr1.diagnostics).toContain('https://pcn-referral-hub.example.org/fhir/CodeSystem/pcn-service-category');
    expect(hubSr1.diagnostics).toContain('social-prescribing');
    expect(hubSr1.diagnostics).toContain('871731000000106');
  });

  it('answer an unsupported event with 422 even when something else is wrong too, each problem once', async () => {
    const bundle = referralMessage() as unknown as Record<string, any>;
    bundle.entry[0].resource.eventCoding.code = 'appointment-request';
    bundle.entry[1].resource.status = 'bogus';
    const answer = (await refusal(bundle, 'Z9W001')) as {
      status: number;
      issues: { code: string; expression?: string }[];
    };
    expect(answer.status).toBe(422);
    const keys = answer.issues.map((i) => `${i.expression}|${i.code}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(answer.issues.every((i) => !i.expression || /^(Bundle|X-|NHSD-)/.test(i.expression))).toBe(true);
  });
});

describe('a retry while the first request is still being processed', () => {
  it('is answered 425 REC_TOO_EARLY and never processed twice; once done, a repeat is 409', async () => {
    // Prepare: the first request stored the message and is still busy (its enqueue has not returned).
    const hub = testDependencies([testNetwork()]);
    let release: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const reachedEnqueue = new Promise<void>((resolve) => (reached = resolve));
    const slowQueue = {
      enqueue: () => {
        reached();
        return new Promise<void>((resolve) => (release = resolve));
      },
      retryAfter: async () => undefined,
      depth: async () => 0,
    };
    const bundle = referralMessage({ senderOds: 'Z8T001', category: 'community-nursing' });
    const requestId = crypto.randomUUID();
    const inbound = {
      body: bundle,
      requestId,
      correlationId: crypto.randomUUID(),
      caller: { organisation: 'Z8T001', ops: false, roles: BOTH_ROLES },
    };
    const first = ingestMessage({ ...hub, queue: slowQueue }, inbound);
    await reachedEnqueue;
    // Act and assess
    await expect(ingestMessage(hub, { ...inbound, body: structuredClone(bundle) })).rejects.toMatchObject({
      status: 425,
      barsCode: 'REC_TOO_EARLY',
      // Told when to ask again: once the first request has finished or timed out (30 s from its arrival).
      retryAfterSeconds: expect.any(Number),
    });
    const early = await ingestMessage(hub, { ...inbound, body: structuredClone(bundle) }).catch((e) => e);
    expect(early.retryAfterSeconds).toBeGreaterThan(0);
    expect(early.retryAfterSeconds).toBeLessThanOrEqual(30);
    release();
    const { record } = await first;
    // Once done (the first request answered and its message taken by the delivery worker), a repeat is 409.
    await deliverMessage(hub, { messageId: record.messageId, queuedAt: hub.clock.now().toISOString() }, 60);
    await expect(ingestMessage(hub, { ...inbound, body: structuredClone(bundle) })).rejects.toMatchObject({
      status: 409,
      barsCode: 'REC_CONFLICT',
    });
  });
});

describe('a refusal that says everything at once', () => {
  it('names the missing route of a referral together with its validation problems', async () => {
    // Prepare: a referral for a service the test network has no route for, with an invalid status too.
    const hub = testDependencies([testNetwork()]);
    const bundle = referralMessage({ senderOds: 'Z8T001', category: 'community-pharmacy' }) as unknown as Record<
      string,
      any
    >;
    bundle.entry[1].resource.status = 'bogus';
    // Act
    const refusal = await ingestMessage(hub, {
      body: bundle,
      requestId: crypto.randomUUID(),
      correlationId: crypto.randomUUID(),
      caller: { organisation: 'Z8T001', ops: false, roles: BOTH_ROLES },
    }).catch((error: { status: number; issues: { code: string; diagnostics: string }[] }) => error);
    // Assess: 400 for the invalid status, and the routing problem in the same answer.
    const answer = refusal as { status: number; issues: { code: string; diagnostics: string }[] };
    expect(answer.status).toBe(400);
    expect(answer.issues.some((i) => i.code === 'business-rule' && /community-pharmacy/.test(i.diagnostics))).toBe(
      true,
    );
  });
});
