import type { Bundle } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../core/errors.js';
import { escalateDeadlines } from '../../core/services/deadline-escalation.js';
import { deliverMessage } from '../../core/services/delivery.js';
import { searchTasks } from '../../core/services/tasks.js';
import { careHomeTaskMessage, referralMessage, responseMessage } from '../../local/sample-messages.js';
import { ingestAs, type TestHub, testDependencies } from '../support/in-memory.js';
import { testNetwork } from '../support/networks.js';

const NORTH = 'Z8T001';
const TEAM = 'Z8T102'; // the care home team's provider
const LEAD = 'Z8T100'; // the PCN's clinical lead for care homes
const HOUR_MS = 3_600_000;
const LEASE_SECONDS = 90;
const start = new Date('2026-11-23T10:00:00Z');

/** A hub whose clock the test moves. */
function hubAt(time: Date): TestHub & { setTime(t: Date): void } {
  let now = time;
  const hub = testDependencies([testNetwork()], undefined, time);
  return Object.assign(hub, { clock: { now: () => now }, setTime: (t: Date) => (now = t) });
}

const send = ingestAs;

/** A care-home Task from the North practice for Oak House, due at `due`, delivered to the team. */
async function aTask(hub: TestHub, due: Date) {
  const task = careHomeTaskMessage({
    senderOds: NORTH,
    careHome: 'Z8TC01',
    category: 'care-home-mdt',
    due: due.toISOString(),
  });
  const sent = await send(hub, task, NORTH);
  await deliverMessage(hub, hub.queue.last(sent.id), LEASE_SECONDS);
  return sent;
}

const update = (
  original: string,
  taskStatus: 'accepted' | 'in-progress' | 'completed' | 'cancelled' | 'on-hold',
  extra = {},
) => responseMessage({ receiverOds: TEAM, originalMessageId: original, event: 'task-update', taskStatus, ...extra });

const noticesAbout = (hub: TestHub, id: string) =>
  [...hub.store.records.values()].filter((r) => r.kind === 'notification' && r.inReplyTo === id);

describe('care-home Tasks', () => {
  it("are routed to the home's care-home team, with the Task's state and deadline stored", async () => {
    const hub = hubAt(start);
    const due = new Date(start.getTime() + 7 * 24 * HOUR_MS);
    const { id } = await aTask(hub, due);
    const record = (await hub.store.get(id))!;
    expect(record.destination).toMatchObject({ organisation: TEAM, serviceId: 'care-home-team' });
    expect(record).toMatchObject({
      task: { status: 'requested', careHome: 'Z8TC01', notes: [] },
      dueAt: due.toISOString(),
    });
  });

  it("follow FHIR R4's Task state machine through the owner's task-updates, keeping business status and notes", async () => {
    const hub = hubAt(start);
    const { id, correlationId } = await aTask(hub, new Date(start.getTime() + 24 * HOUR_MS));
    await send(hub, update(id, 'accepted'), TEAM, correlationId);
    const noted = update(id, 'in-progress');
    const focus = noted.entry!.find((e) => e.resource?.resourceType === 'Task')!.resource as {
      businessStatus?: unknown;
      note?: unknown;
    };
    focus.businessStatus = { text: 'Visit booked' };
    focus.note = [{ text: 'Seen by the team on the home round' }];
    await send(hub, noted, TEAM, correlationId);
    await send(hub, update(id, 'completed'), TEAM, correlationId);
    const record = (await hub.store.get(id))!;
    expect(record.task).toMatchObject({
      status: 'completed',
      businessStatus: 'Visit booked',
      notes: [{ author: TEAM, text: 'Seen by the team on the home round' }],
    });
    expect(record.outcome).toBe('completed');
    expect(record.timeline.filter((e) => e.type === 'task-updated')).toHaveLength(3);
  });

  it('refuse an illegal change with 409 naming the current and requested states, storing nothing', async () => {
    const hub = hubAt(start);
    const { id, correlationId } = await aTask(hub, new Date(start.getTime() + 24 * HOUR_MS));
    await send(hub, update(id, 'accepted'), TEAM, correlationId);
    await send(hub, update(id, 'in-progress'), TEAM, correlationId);
    await send(hub, update(id, 'completed'), TEAM, correlationId);
    const late = update(id, 'in-progress');
    const refusal = await send(hub, late, TEAM, correlationId).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(IllegalTransitionError);
    expect(refusal).toMatchObject({ status: 409, lifecycle: 'task', from: 'completed', to: 'in-progress' });
    expect((refusal as IllegalTransitionError).issues[0]!.diagnostics).toContain(
      "'completed' and cannot become 'in-progress'",
    );
    expect(hub.store.records.has(late.id!)).toBe(false);
  });

  it('may be cancelled by their requester, but moved otherwise only by their owner (403)', async () => {
    const hub = hubAt(start);
    const { id, correlationId } = await aTask(hub, new Date(start.getTime() + 24 * HOUR_MS));
    const asRequester = (taskStatus: 'accepted' | 'cancelled') =>
      responseMessage({ receiverOds: NORTH, originalMessageId: id, event: 'task-update', taskStatus });
    await expect(send(hub, asRequester('accepted'), NORTH, correlationId)).rejects.toMatchObject({ status: 403 });
    await send(hub, asRequester('cancelled'), NORTH, correlationId);
    expect((await hub.store.get(id))!.task!.status).toBe('cancelled');
  });
});

describe('deadlines', () => {
  it("take a referral's from its route's response time: the route's own, else 120 h routine and 24 h urgent", async () => {
    const hub = hubAt(start);
    const social = await send(hub, referralMessage({ senderOds: NORTH, category: 'social-prescribing' }), NORTH);
    const routine = await send(hub, referralMessage({ senderOds: NORTH, category: 'community-nursing' }), NORTH);
    const urgent = await send(
      hub,
      referralMessage({ senderOds: NORTH, category: 'community-nursing', priority: 'urgent' }),
      NORTH,
    );
    const dueIn = async (id: string) => (Date.parse((await hub.store.get(id))!.dueAt!) - start.getTime()) / HOUR_MS;
    expect(await dueIn(social.id)).toBe(48); // the route says 48 h
    expect(await dueIn(routine.id)).toBe(120);
    expect(await dueIn(urgent.id)).toBe(24);
  });

  it('leave a Task alone one second before its deadline and escalate it one second after', async () => {
    // Prepare
    const hub = hubAt(start);
    const due = new Date(start.getTime() + 2 * HOUR_MS);
    const { id } = await aTask(hub, due);
    // Act: just before
    hub.setTime(new Date(due.getTime() - 1000));
    expect(await escalateDeadlines(hub)).toBe(0);
    expect(noticesAbout(hub, id)).toHaveLength(0);
    // Act: just after
    hub.setTime(new Date(due.getTime() + 1000));
    expect(await escalateDeadlines(hub)).toBe(1);
    // Assess: overdue, the requester and the PCN's clinical lead told, a timeline event saying so
    const record = (await hub.store.get(id))!;
    expect(record.overdue).toBe(true);
    expect(
      noticesAbout(hub, id)
        .map((n) => n.destination.organisation)
        .sort(),
    ).toEqual([LEAD, NORTH].sort());
    const event = record.timeline.find((e) => e.type === 'overdue')!;
    expect(event.detail).toContain("still 'requested'");
    expect(hub.metrics).toContain('DeadlineEscalated');
  });

  it('notify once, however many sweeps run, at once or again', async () => {
    const hub = hubAt(start);
    const { id } = await aTask(hub, new Date(start.getTime() + HOUR_MS));
    hub.setTime(new Date(start.getTime() + 2 * HOUR_MS));
    const results = await Promise.all([escalateDeadlines(hub), escalateDeadlines(hub), escalateDeadlines(hub)]);
    expect(results.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await escalateDeadlines(hub)).toBe(0);
    expect(noticesAbout(hub, id)).toHaveLength(2);
    expect((await hub.store.get(id))!.timeline.filter((e) => e.type === 'overdue')).toHaveLength(1);
  });

  it('never escalate a finished Task', async () => {
    const hub = hubAt(start);
    const { id, correlationId } = await aTask(hub, new Date(start.getTime() + HOUR_MS));
    for (const status of ['accepted', 'in-progress', 'completed'] as const)
      await send(hub, update(id, status), TEAM, correlationId);
    hub.setTime(new Date(start.getTime() + 3 * HOUR_MS));
    expect(await escalateDeadlines(hub)).toBe(0);
  });

  it('tell the sender when a referral waits in a mailbox past its response time, and not once it is answered', async () => {
    const hub = hubAt(start);
    const waiting = await send(hub, referralMessage({ senderOds: NORTH, category: 'social-prescribing' }), NORTH);
    const answered = await send(hub, referralMessage({ senderOds: NORTH, category: 'social-prescribing' }), NORTH);
    for (const { id } of [waiting, answered]) await deliverMessage(hub, hub.queue.last(id), LEASE_SECONDS);
    await send(
      hub,
      responseMessage({ receiverOds: 'Z8T101', originalMessageId: answered.id }),
      'Z8T101',
      answered.correlationId,
    );
    hub.setTime(new Date(start.getTime() + 49 * HOUR_MS));
    expect(await escalateDeadlines(hub)).toBe(1);
    const [notice] = noticesAbout(hub, waiting.id);
    expect(notice!.destination.organisation).toBe(NORTH);
    const outcome = (await hub.store.getBundle(notice!.messageId))!.entry!.at(-1)!.resource as {
      issue: { severity: string; diagnostics: string }[];
    };
    expect(outcome.issue[0]).toMatchObject({ severity: 'warning' });
    expect(outcome.issue[0]!.diagnostics).toContain('has not collected this referral from its mailbox');
    expect((await hub.store.get(waiting.id))!.timeline.map((e) => e.type)).toContain('not-responded');
    expect(noticesAbout(hub, answered.id)).toHaveLength(0);
  });
});

describe('GET /Task', () => {
  const ids = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource!.id);

  it('shows each organisation only the Tasks it requested or owns, ops every one, filtered and paged', async () => {
    const hub = hubAt(start);
    const first = await aTask(hub, new Date(start.getTime() + HOUR_MS));
    hub.setTime(new Date(start.getTime() + 60_000)); // newest first: the second a minute later
    const second = await aTask(hub, new Date(start.getTime() + 48 * HOUR_MS));
    await send(hub, update(second.id, 'accepted'), TEAM, second.correlationId);
    hub.setTime(new Date(start.getTime() + 2 * HOUR_MS));
    await escalateDeadlines(hub);
    const as = (organisation: string, ops = false) => ({ organisation, ops, roles: [] });
    expect(ids(await searchTasks(hub, as(NORTH), {}))).toEqual([second.id, first.id]);
    expect(ids(await searchTasks(hub, as(TEAM), {}))).toEqual([second.id, first.id]);
    expect(ids(await searchTasks(hub, as('Z8T002'), {}))).toEqual([]);
    expect(ids(await searchTasks(hub, as('Z8OPS1', true), {}))).toEqual([second.id, first.id]);
    expect(ids(await searchTasks(hub, as(NORTH), { status: 'accepted' }))).toEqual([second.id]);
    expect(ids(await searchTasks(hub, as(NORTH), { overdue: 'true' }))).toEqual([first.id]);
    expect(
      ids(await searchTasks(hub, as(NORTH), { 'care-home': 'Z8TC01', owner: TEAM, requester: NORTH })),
    ).toHaveLength(2);
    expect(
      ids(await searchTasks(hub, as(NORTH), { 'patient:identifier': 'https://fhir.nhs.uk/Id/nhs-number|9000000009' })),
    ).toHaveLength(2);
    expect(
      ids(await searchTasks(hub, as(NORTH), { 'patient:identifier': 'https://fhir.nhs.uk/Id/nhs-number|9449305552' })),
    ).toEqual([]);
    const page1 = await searchTasks(hub, as(NORTH), { _count: '1' });
    expect(ids(page1)).toEqual([second.id]);
    const next = new URL(page1.link!.find((l) => l.relation === 'next')!.url);
    const page2 = await searchTasks(hub, as(NORTH), { _count: '1', cursor: next.searchParams.get('cursor')! });
    expect(ids(page2)).toEqual([first.id]);
    await expect(searchTasks(hub, as(NORTH), { status: 'bogus' })).rejects.toMatchObject({ status: 400 });
  });
});
