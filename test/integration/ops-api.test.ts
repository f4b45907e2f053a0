import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../core/fhir/systems.js';
import type { Alert, OutcomeRow, TrafficOverview } from '../../core/operations.js';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { referralMessage, responseMessage } from '../../local/sample-messages.js';
import { asOrganisation, call, eventually, messageStatus, sendMessage, untilStatus } from '../support/http.js';

const SOCIAL_PRESCRIBING = 'Z9W101';
const NOT_ELIGIBLE = 'The patient is not eligible for this service';

describe("ops' overview, outcomes and alerts, through the API", () => {
  let hub: LocalHub;
  let failedId: string;
  let rejectedId: string;
  beforeAll(async () => {
    // Prepare: no simulated receivers, so pushes fail at once; social prescribing takes referrals by mailbox.
    hub = await startLocalHub({
      port: 0,
      receiversPort: false,
      policy: { maxAttempts: 1, baseDelaySeconds: 1, maxDelaySeconds: 1 },
    });
    const accepted = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    const rejected = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
    const failing = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'voluntary-sector' });
    const cases = new Map<string, string>();
    for (const referral of [accepted, rejected, failing]) {
      const sent = await sendMessage(hub.baseUrl, referral, { sender: SAMPLE_PRACTICE });
      expect(sent.status).toBe(202);
      cases.set(referral.id!, sent.headers.get('x-correlation-id')!);
    }
    failedId = failing.id!;
    rejectedId = rejected.id!;
    for (const id of [accepted.id!, rejected.id!])
      await eventually(() => messageStatus(hub.baseUrl, id, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    await eventually(() => messageStatus(hub.baseUrl, failedId, SAMPLE_PRACTICE), untilStatus('failed'));
    const answers = [
      [accepted.id!, responseMessage({ receiverOds: SOCIAL_PRESCRIBING, originalMessageId: accepted.id! })],
      [
        rejected.id!,
        responseMessage({
          receiverOds: SOCIAL_PRESCRIBING,
          originalMessageId: rejected.id!,
          taskStatus: 'rejected',
          // As the inbox sends it: a coded reason, and the team's own words beside it.
          reasonCoding: { system: SYSTEMS.rejectionReason, code: 'not-eligible', display: NOT_ELIGIBLE },
          reason: 'Lives in Bedford, outside our area',
        }),
      ],
    ] as const;
    for (const [original, answer] of answers) {
      const correlationId = cases.get(original)!;
      expect((await sendMessage(hub.baseUrl, answer, { sender: SOCIAL_PRESCRIBING, correlationId })).status).toBe(202);
    }
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  const asOps = async (path: string) =>
    call(hub.baseUrl, 'GET', path, { headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops') });

  it('counts what happened as it happened: received, delivered, failed, answered, and the rates', async () => {
    // Act: the counters follow the stored changes (through the Messages stream), a moment behind.
    const overview = await eventually(
      async () => (await asOps('/ops/overview')).body as TrafficOverview,
      (o) => o.totals.received === 3 && o.totals.answered === 2 && o.totals.failed === 1,
    );
    // Assess
    expect(overview.totals).toMatchObject({ received: 3, delivered: 2, failed: 1, accepted: 1, rejected: 1 });
    expect(overview.acceptanceRate).toBe(50);
    expect(overview.failureRate).toBeCloseTo(33.3, 1);
    expect(overview.step).toBe('hour');
    expect(overview.series).toHaveLength(25);
    expect(overview.series.reduce((sum, s) => sum + s.received, 0)).toBe(3);
    expect(overview.deliveryLatency.p50Seconds).toBeGreaterThan(0);
    expect(overview.byService.map((s) => [s.name, s.received])).toEqual([
      ['Milton Keynes Social Prescribing', 2],
      ['MK Wellbeing Line', 1],
    ]);
    expect(overview.byNetwork).toHaveLength(1);
    expect(overview.queue.depth).toBeGreaterThanOrEqual(0);
  });

  it('reports outcomes per PCN and service specification, as JSON and as CSV', async () => {
    const rows = await eventually(
      async () => (await asOps('/ops/outcomes')).body.outcomes as OutcomeRow[],
      (r) => r.some((row) => row.rejected === 1),
    );
    expect(rows.find((r) => r.category === 'social-prescribing')).toMatchObject({
      sent: 2,
      accepted: 1,
      rejected: 1,
      rejectedBecause: { [NOT_ELIGIBLE]: 1 },
    });
    // The note is kept with the referral, for the practice, and is never a category.
    const rejected = await messageStatus(hub.baseUrl, rejectedId, SAMPLE_PRACTICE);
    expect(rejected).toMatchObject({ outcomeReason: NOT_ELIGIBLE, outcomeNote: 'Lives in Bedford, outside our area' });
    // Its history names the coded reason; the team's own words stay off the timeline.
    const answeredEvent = rejected.timeline.find((e) => e.type === 'responded');
    expect(answeredEvent?.detail).toContain(`rejected; "${NOT_ELIGIBLE}"`);
    expect(JSON.stringify(rejected.timeline)).not.toContain('Bedford');
    const csv = await asOps('/ops/outcomes?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe(
      'PCN,Network id,Service specification,Sent,Accepted,Rejected,Rejected because,Completed,Median minutes to first answer',
    );
    expect(lines.find((l) => l.includes('Social prescribing'))).toContain(`,2,1,1,${NOT_ELIGIBLE}: 1,0,`);
  });

  it('refuses a range it cannot read, and a format it does not write', async () => {
    expect((await asOps('/ops/overview?from=yesterday')).status).toBe(422);
    expect((await asOps('/ops/overview?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z')).status).toBe(422);
    expect((await asOps('/ops/outcomes?format=xlsx')).status).toBe(422);
  });

  it('finds messages by sender, receiving organisation, service, status and time, newest first', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const byService = (await asOps(`/messages?service=mk-social-prescribing&since=${since}`)).body.messages;
    expect(byService.map((m: { destination: { serviceId: string } }) => m.destination.serviceId)).toEqual([
      'mk-social-prescribing',
      'mk-social-prescribing',
    ]);
    expect(byService[0].createdAt >= byService[1].createdAt).toBe(true);
    const fromPractice = (await asOps(`/messages?sender=${SAMPLE_PRACTICE}&destination=Z9W107`)).body.messages;
    expect(fromPractice.map((m: { messageId: string }) => m.messageId)).toEqual([failedId]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await asOps(`/messages?since=${future}`)).body.messages).toEqual([]);
    expect((await asOps('/messages?sender=not%20ods')).status).toBe(422);
    const asPractice = await call(hub.baseUrl, 'GET', `/messages?destination=Z9W107`, {
      headers: await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE),
    });
    expect(asPractice.status).toBe(403);
  });

  it('raises an alert once for a failed delivery, and clears it once when the message is replayed', async () => {
    // Act: the watch runs twice while the delivery has failed.
    await hub.deadlines();
    await hub.deadlines();
    const listed = (await asOps('/ops/alerts')).body as { alerts: Alert[]; open: number };
    const open = listed.alerts;
    // Assess: one open alert for it, raised once; the list says how many are open in all.
    expect(open.filter((a) => a.messageId === failedId)).toMatchObject([{ kind: 'delivery-failed', state: 'open' }]);
    expect(listed.open).toBe(open.filter((a) => a.state === 'open').length);
    // A page at a time: one alert, then the next from where it stopped, none twice.
    const first = (await asOps('/ops/alerts?_count=1')).body as { alerts: Alert[]; next?: string };
    expect(first.alerts).toEqual([open[0]]);
    if (open.length > 1) {
      expect(first.next).toBeDefined();
      const second = (await asOps(`/ops/alerts?_count=1&cursor=${first.next}`)).body as { alerts: Alert[] };
      expect(second.alerts).toEqual([open[1]]);
    } else expect(first.next).toBeUndefined();
    expect((await asOps('/ops/alerts?cursor=nonsense')).status).toBe(400);
    expect(hub.metrics.get('AlertRaised')).toBeGreaterThanOrEqual(1);
    const raised = hub.metrics.get('AlertRaised');
    // Someone takes it in hand: who, when and what they are doing, for the rest of ops; a second is told who has it.
    const key = open.find((a) => a.messageId === failedId)!.key;
    const acknowledge = async (note: string) =>
      call<Alert & { issue?: { diagnostics: string }[] }>(hub.baseUrl, 'POST', '/ops/alerts/$acknowledge', {
        headers: { ...(await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops')), 'content-type': 'application/json' },
        body: { alert: key, note },
      });
    const inHand = await acknowledge('Calling the wellbeing line about their endpoint');
    expect(inHand.status).toBe(200);
    expect(inHand.body.acknowledged).toMatchObject({ note: 'Calling the wellbeing line about their endpoint' });
    expect(inHand.body.acknowledged!.by).toContain(LOCAL_OPS_ODS);
    const second = await acknowledge('Me too');
    expect(second.status).toBe(409);
    expect(second.body.issue![0]!.diagnostics).toContain('Calling the wellbeing line');
    expect((await acknowledge('')).status).toBe(422);
    // Act: ops replay it to social prescribing (a mailbox), so it no longer fails.
    const replay = await call(hub.baseUrl, 'POST', `/messages/${failedId}/$replay`, {
      headers: { ...(await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops')), 'content-type': 'application/json' },
      body: { service: 'mk-social-prescribing' },
    });
    expect(replay.status).toBe(202);
    await eventually(() => messageStatus(hub.baseUrl, failedId, SAMPLE_PRACTICE), untilStatus('in-mailbox'));
    await hub.deadlines();
    await hub.deadlines();
    // Assess: cleared once, and nothing raised again.
    const after = (await asOps('/ops/alerts')).body.alerts as Alert[];
    expect(after.filter((a) => a.messageId === failedId)).toMatchObject([{ state: 'cleared' }]);
    expect(hub.metrics.get('AlertCleared')).toBe(1);
    expect(hub.metrics.get('AlertRaised')).toBe(raised);
  });

  it('checks a proposed network file against the live routing tables, loading nothing', async () => {
    const post = async (body: unknown) =>
      call(hub.baseUrl, 'POST', '/routing/$diff', {
        headers: { ...(await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops')), 'content-type': 'application/json' },
        body,
      });
    const [live] = (await hub.core.directory.listNetworks()).filter((n) => n.id === 'watling-street-pcn');
    const proposed = structuredClone(live!);
    proposed.services = proposed.services.filter((s) => s.id !== 'watling-fcp');
    proposed.routes = proposed.routes.filter((r) => r.service !== 'watling-fcp');
    proposed.name = 'Watling Street Primary Care Network';
    // Act and assess: what would change, line by line.
    const changed = (await post(proposed)).body;
    expect(changed).toMatchObject({ networkId: 'watling-street-pcn', change: 'changed', problems: [] });
    expect(changed.details).toContain('name: Watling Street PCN -> Watling Street Primary Care Network');
    expect(changed.details.some((l: string) => l.startsWith('- service watling-fcp'))).toBe(true);
    expect((await post(live)).body.change).toBe('unchanged');
    expect((await post({ ...proposed, id: 'new-pcn' })).body.change).toBe('added');
    // A broken file is not loadable: every problem, with where it is.
    const broken = (await post({ ...proposed, routes: [{ id: 'x', service: 'nowhere' }] })).body;
    expect(broken.change).toBe('invalid');
    expect(broken.problems.length).toBeGreaterThan(0);
    // Nothing was loaded.
    expect((await hub.core.directory.listNetworks()).find((n) => n.id === 'watling-street-pcn')!.name).toBe(
      'Watling Street PCN',
    );
  });

  it('is for ops only', async () => {
    for (const path of ['/ops/overview', '/ops/outcomes', '/ops/alerts']) {
      const asPractice = await call(hub.baseUrl, 'GET', path, {
        headers: await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE),
      });
      expect(asPractice.status).toBe(403);
      expect(asPractice.body.resourceType).toBe('OperationOutcome');
    }
  });
});
