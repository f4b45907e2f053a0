import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { asOrganisation, call, eventually } from '../support/http.js';

const BRADWELL_PRACTICE = 'Z9W003'; // aligned to Bradwell Court (Z9WC01)
const WATLING_OTHER_PRACTICE = 'Z9W002'; // same PCN, no Tasks of its own
const LEAMINGTON_PRACTICE = 'Z9L004';
const CARE_HOME_TEAM = 'Z9W102';
const CLINICAL_LEAD = 'Z9W100';

describe("care-home Tasks through the API, on npm start's sample week", () => {
  let hub: LocalHub;
  const tasks = async (as: string, query = '') =>
    call(hub.baseUrl, 'GET', `/Task${query}`, { headers: await asOrganisation(hub.baseUrl, as) });
  const ids = (answer: Awaited<ReturnType<typeof tasks>>) =>
    (answer.body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);

  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: false, sampleTasks: true });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('escalates the overdue Tasks and the unanswered referral once the deadline sweep runs', async () => {
    // Act: the sweep, until every sample has been delivered and escalated (it skips what is still being delivered).
    const overdue = await eventually(
      async () => {
        await hub.deadlines();
        return tasks(LOCAL_OPS_ODS, '?overdue=true');
      },
      (answer) => answer.body.entry?.length === 2,
    );
    // Assess: both overdue Tasks are Bradwell Court's and Shenley Lodge's, tagged, with the timeline saying who was told.
    expect(
      overdue.body.entry.map((e: { resource: { meta: { tag: { code: string }[] } } }) => e.resource.meta.tag[0]!.code),
    ).toEqual(['overdue', 'overdue']);
    const [first] = overdue.body.entry;
    const record = await call(hub.baseUrl, 'GET', `/messages/${first.resource.id}`, {
      headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
    });
    expect(record.body.timeline.find((e: { type: string }) => e.type === 'overdue').detail).toMatch(
      /Told: .*Z9W00\d.*PCN .*\(Z9W100\)/,
    );
    // The practice and the PCN's clinical lead each find a warning in their mailbox.
    for (const organisation of [BRADWELL_PRACTICE, CLINICAL_LEAD]) {
      const mailbox = await eventually(
        async () => call(hub.baseUrl, 'GET', '/mailbox', { headers: await asOrganisation(hub.baseUrl, organisation) }),
        (answer) => answer.body.messages.some((m: { kind: string }) => m.kind === 'notification'),
      );
      expect(mailbox.status).toBe(200);
    }
    // The referral nobody answered: Hilltops is told its receiver has not collected it.
    const noticesToHilltops = async () => {
      const mailbox = await call(hub.baseUrl, 'GET', '/mailbox', {
        headers: await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE),
      });
      const notices = mailbox.body.messages.filter((m: { kind: string }) => m.kind === 'notification');
      return Promise.all(
        notices.map(async (n: { messageId: string }) => {
          const fetched = await call(hub.baseUrl, 'GET', `/mailbox/${n.messageId}`, {
            headers: await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE),
          });
          return JSON.stringify(fetched.body);
        }),
      );
    };
    await eventually(noticesToHilltops, (texts) =>
      texts.some((text) => /Social Prescribing has not (collected|responded)/.test(text)),
    );
  });

  it('lets ops list everything past its deadline, Tasks and referrals alike', async () => {
    const overdue = await call(hub.baseUrl, 'GET', '/messages?overdue=true', {
      headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
    });
    expect(
      overdue.body.messages.map((m: { kind: string; task?: unknown }) => (m.task ? 'task' : m.kind)).sort(),
    ).toEqual(['request', 'task', 'task']);
    expect(overdue.body.messages.every((m: { overdue: boolean }) => m.overdue)).toBe(true);
    const practice = await call(hub.baseUrl, 'GET', '/messages?overdue=true', {
      headers: await asOrganisation(hub.baseUrl, SAMPLE_PRACTICE),
    });
    expect(practice.status).toBe(403);
  });

  it('takes a referral off the overdue list once it is settled (here withdrawn by ops), and unmarks it', async () => {
    // Prepare: the overdue referral Hilltops sent.
    const asOps = { headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS) };
    const before = await call(hub.baseUrl, 'GET', '/messages?overdue=true', asOps);
    const referral = before.body.messages.find(
      (m: { kind: string; task?: unknown }) => m.kind === 'request' && !m.task,
    );
    // Act
    const withdrawn = await call(hub.baseUrl, 'POST', `/messages/${referral.messageId}/$withdraw`, {
      headers: { ...(await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS, 'ops')), 'content-type': 'application/json' },
      body: { reason: 'The practice says the patient was seen in clinic instead' },
    });
    // Assess
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.overdue).toBe(false);
    const after = await call(hub.baseUrl, 'GET', '/messages?overdue=true', asOps);
    expect(after.body.messages.map((m: { messageId: string }) => m.messageId)).not.toContain(referral.messageId);
    expect(after.body.messages).toHaveLength(before.body.messages.length - 1);
  });

  it('shows each organisation only the Tasks it requested or owns; ops see all', async () => {
    const all = ids(await tasks(LOCAL_OPS_ODS, '?_count=100'));
    expect(all).toHaveLength(7);
    const bradwell = ids(await tasks(BRADWELL_PRACTICE, '?_count=100'));
    const team = ids(await tasks(CARE_HOME_TEAM, '?_count=100'));
    expect(bradwell.length).toBeGreaterThan(0);
    expect(team).toHaveLength(6); // every Watling Street Task is owned by its care-home team
    expect(ids(await tasks(WATLING_OTHER_PRACTICE))).toEqual([]);
    const leamington = ids(await tasks(LEAMINGTON_PRACTICE));
    expect(leamington).toHaveLength(1);
    expect(leamington[0]).not.toBeOneOf(team);
    // Another organisation's Task is not found, exactly as a Task that does not exist.
    const foreign = await call(hub.baseUrl, 'GET', `/Task/${leamington[0]}`, {
      headers: await asOrganisation(hub.baseUrl, BRADWELL_PRACTICE),
    });
    const missing = await call(hub.baseUrl, 'GET', `/Task/${crypto.randomUUID()}`, {
      headers: await asOrganisation(hub.baseUrl, BRADWELL_PRACTICE),
    });
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    const own = await call(hub.baseUrl, 'GET', `/Task/${leamington[0]}`, {
      headers: await asOrganisation(hub.baseUrl, LEAMINGTON_PRACTICE),
    });
    expect(own.body).toMatchObject({ resourceType: 'Task', requester: { identifier: { value: LEAMINGTON_PRACTICE } } });
    expect((await call(hub.baseUrl, 'GET', '/Task')).status).toBe(401);
  });

  it('searches by status, care home and patient, and pages with _count and a next link', async () => {
    const completed = await tasks(LOCAL_OPS_ODS, '?status=completed&_count=1');
    expect(ids(completed)).toHaveLength(1);
    const next = completed.body.link.find((l: { relation: string }) => l.relation === 'next').url as string;
    const page2 = await call(hub.baseUrl, 'GET', next.replace(/^https?:\/\/[^/]+/, ''), {
      headers: await asOrganisation(hub.baseUrl, LOCAL_OPS_ODS),
    });
    expect(ids(page2)).toHaveLength(1);
    expect(ids(page2)[0]).not.toBe(ids(completed)[0]);
    expect(page2.body.entry[0].resource.status).toBe('completed');
    const atHome = await tasks(LOCAL_OPS_ODS, '?care-home=Z9LC01');
    expect(ids(atHome)).toHaveLength(1);
    const someone = atHome.body.entry[0].resource.for.identifier.value;
    expect(ids(await tasks(LOCAL_OPS_ODS, `?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${someone}`))).toEqual(
      ids(atHome),
    );
    const refused = await tasks(LOCAL_OPS_ODS, '?colour=blue');
    expect(refused.status).toBe(400);
  });
});
