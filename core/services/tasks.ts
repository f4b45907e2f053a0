import type { Bundle, Patient, Task } from 'fhir/r4';
import { type Caller, requireOrganisation } from '../auth.js';
import { BadRequestError, issue, NotFoundError } from '../errors.js';
import { identifierValue, type MessageBundle, resolveResource } from '../fhir/bundle.js';
import { pageLinks, pageSize } from '../fhir/paging.js';
import { SYSTEMS } from '../fhir/systems.js';
import type { MessageRecord } from '../lifecycle/message-record.js';
import { TASK_LIFECYCLE } from '../lifecycle/task-lifecycle.js';
import type { HubDependencies } from './dependencies.js';

/** The search parameters of GET /Task, as the CapabilityStatement lists them. */
export const TASK_SEARCH = [
  { name: 'owner', type: 'reference', documentation: 'ODS code of the organisation that owns the Task' },
  { name: 'requester', type: 'reference', documentation: 'ODS code of the organisation that requested it' },
  { name: 'status', type: 'token', documentation: 'FHIR Task status; several separated by commas' },
  { name: 'patient:identifier', type: 'token', documentation: 'https://fhir.nhs.uk/Id/nhs-number|<NHS number>' },
  { name: '_lastUpdated', type: 'date', documentation: 'when it last changed, with eq, ne, gt, lt, ge, le' },
  { name: 'care-home', type: 'token', documentation: "(the hub's own) ODS site code of the resident's care home" },
  { name: 'overdue', type: 'token', documentation: "(the hub's own) true: past Task.restriction.period.end" },
] as const;

/** Every query parameter GET /Task understands (the routes table refuses any other). */
export const TASK_SEARCH_PARAMS = [...TASK_SEARCH.map((p) => p.name), '_count', 'cursor', '_format'] as const;

/** Tasks per page unless _count says otherwise, and the most a page may hold. */
export const DEFAULT_TASK_PAGE = 20;
export const MAX_TASK_PAGE = 100;
/** Store pages one search reads at most before it answers with what it found and a next link. */
const MAX_PAGES_PER_SEARCH = 20;
/** The hub's tag on a Task past its deadline. */
export const OVERDUE_TAG = {
  system: `${SYSTEMS.hubServiceCategory.replace(/pcn-service-category$/, 'hub-tags')}`,
  code: 'overdue',
  display: 'Overdue',
};

type Query = Partial<Record<(typeof TASK_SEARCH_PARAMS)[number], string>>;

/** One care-home Task as FHIR, for its requester, its owner, or ops; 404 for anyone else (ids cannot be probed). */
export async function readTask(deps: HubDependencies, caller: Caller, id: string): Promise<Task> {
  const organisation = requireOrganisation(caller);
  const record = await deps.store.get(id);
  const party =
    record && (caller.ops || [record.senderOrganisation, record.destination.organisation].includes(organisation));
  if (!record?.task || !party)
    throw new NotFoundError('No such Task', [issue('not-found', `No Task ${id} for ${organisation}`)]);
  return taskResource(record, await deps.store.getBundle(id));
}

/**
 * GET /Task: the caller's Tasks (those it requested or owns; every Task for ops), newest first, filtered by the
 * search parameters, `_count` a page, with a `next` link while there is more.
 */
export async function searchTasks(deps: HubDependencies, caller: Caller, query: Query): Promise<Bundle<Task>> {
  const organisation = requireOrganisation(caller);
  const count = pageSize(query._count, DEFAULT_TASK_PAGE, MAX_TASK_PAGE);
  const matches = await matcher(query);
  let position = query.cursor ? decodePosition(query.cursor) : { cursor: undefined, skip: 0 };
  const found: Task[] = [];
  let next: Position | undefined;
  for (let pages = 0; pages < MAX_PAGES_PER_SEARCH && !next; pages++) {
    const page = await deps.store.listTasks(caller.ops ? undefined : organisation, count, position.cursor);
    let matched = 0;
    for (const record of page.items) {
      const bundle = matches.needsBundle ? await deps.store.getBundle(record.messageId) : undefined;
      if (!matches(record, bundle)) continue;
      matched++;
      if (matched <= position.skip) continue;
      if (found.length === count) {
        next = { cursor: position.cursor, skip: matched - 1 }; // this page again, past what was handed out
        break;
      }
      found.push(taskResource(record, bundle ?? (await deps.store.getBundle(record.messageId))));
    }
    if (next) break;
    if (!page.cursor) break;
    position = { cursor: page.cursor, skip: 0 };
    if (pages === MAX_PAGES_PER_SEARCH - 1 || found.length === count) next = position;
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: pageLinks(`${deps.self.baseUrl}/Task`, query, next && encodePosition(next)),
    entry: found.map((resource) => ({
      fullUrl: `${deps.self.baseUrl}/Task/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

/** The Task the requester sent, as it stands now: the hub's ids, status, notes and deadline, parties by identifier. */
export function taskResource(record: MessageRecord, bundle: MessageBundle | undefined): Task {
  const sent = bundle?.entry?.find((e) => e.resource?.resourceType === 'Task')?.resource as Task | undefined;
  const patient = bundle && sent ? resolveResource<Patient>(bundle, sent.for, 'Patient') : undefined;
  const nhsNumber = identifierValue(patient?.identifier, SYSTEMS.nhsNumber);
  const task = record.task!;
  const ods = (value: string, display?: string) => ({
    identifier: { system: SYSTEMS.odsOrganisation, value },
    ...(display ? { display } : {}),
  });
  return {
    resourceType: 'Task',
    id: record.messageId,
    meta: { lastUpdated: lastChanged(record), ...(record.overdue ? { tag: [OVERDUE_TAG] } : {}) },
    ...(sent?.identifier ? { identifier: sent.identifier } : {}),
    status: task.status,
    ...(task.businessStatus ? { businessStatus: { text: task.businessStatus } } : {}),
    intent: sent?.intent ?? 'order',
    ...(sent?.priority ? { priority: sent.priority } : {}),
    ...(sent?.code ? { code: sent.code } : {}),
    ...(sent?.description ? { description: sent.description } : {}),
    ...(nhsNumber ? { for: { identifier: { system: SYSTEMS.nhsNumber, value: nhsNumber } } } : {}),
    ...(sent?.authoredOn ? { authoredOn: sent.authoredOn } : {}),
    lastModified: lastChanged(record),
    requester: ods(record.senderOrganisation),
    owner: ods(record.destination.organisation, record.destination.organisationName),
    ...(task.careHome ? { location: { identifier: { system: SYSTEMS.odsSite, value: task.careHome } } } : {}),
    ...(record.dueAt ? { restriction: { period: { end: record.dueAt } } } : {}),
    ...(task.notes.length
      ? { note: task.notes.map((n) => ({ time: n.at, authorReference: ods(n.author), text: n.text })) }
      : {}),
  };
}

/** When anything last happened to it (a status, an answer, an escalation). */
const lastChanged = (record: MessageRecord) => record.timeline.at(-1)?.at ?? record.updatedAt;

type Match = ((record: MessageRecord, bundle: MessageBundle | undefined) => boolean) & { needsBundle: boolean };

/** Every filter of the query as one predicate; a malformed value is a 400 naming the parameter. */
async function matcher(query: Query): Promise<Match> {
  const tests: ((record: MessageRecord, bundle: MessageBundle | undefined) => boolean)[] = [];
  const bad = (name: string, why: string) => new BadRequestError('Bad search parameter', [issue('value', why, name)]);
  const code = (value: string) =>
    value
      .replace(/^Organization\//, '')
      .split('|')
      .pop()!;
  if (query.owner) tests.push((r) => r.destination.organisation === code(query.owner!));
  if (query.requester) tests.push((r) => r.senderOrganisation === code(query.requester!));
  if (query['care-home']) tests.push((r) => r.task?.careHome === code(query['care-home']!));
  if (query.status) {
    const wanted = query.status.split(',');
    const unknown = wanted.filter((s) => !TASK_LIFECYCLE.states.includes(s as never));
    if (unknown.length)
      throw bad('status', `status must be among ${TASK_LIFECYCLE.states.join(', ')}; not ${unknown.join(', ')}`);
    tests.push((r) => wanted.includes(r.task!.status));
  }
  if (query.overdue) {
    if (!['true', 'false'].includes(query.overdue)) throw bad('overdue', 'overdue must be true or false');
    tests.push((r) => (r.overdue === true) === (query.overdue === 'true'));
  }
  if (query._lastUpdated) {
    const [, prefix = 'eq', value = ''] = /^(eq|ne|gt|lt|ge|le)?(.+)$/.exec(query._lastUpdated) ?? [];
    if (Number.isNaN(Date.parse(value))) throw bad('_lastUpdated', '_lastUpdated must be a date, e.g. ge2026-11-01');
    tests.push((r) => compareDate(lastChanged(r), prefix, value));
  }
  let needsBundle = false;
  if (query['patient:identifier']) {
    const [system, value] = query['patient:identifier'].includes('|')
      ? query['patient:identifier'].split('|')
      : [SYSTEMS.nhsNumber, query['patient:identifier']];
    if (system !== SYSTEMS.nhsNumber || !value)
      throw bad('patient:identifier', `patient:identifier must be ${SYSTEMS.nhsNumber}|<NHS number>`);
    needsBundle = true;
    tests.push((r, bundle) => taskResource(r, bundle).for?.identifier?.value === value);
  }
  return Object.assign(
    (record: MessageRecord, bundle: MessageBundle | undefined) => tests.every((t) => t(record, bundle)),
    {
      needsBundle,
    },
  );
}

/** FHIR date search: a date without time matches the whole day for eq; prefixes compare instants. */
function compareDate(instant: string, prefix: string, value: string): boolean {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const start = Date.parse(value);
  const end = day ? start + 86_400_000 : start;
  const at = Date.parse(instant);
  switch (prefix) {
    case 'gt':
      return at >= end && at > start;
    case 'ge':
      return at >= start;
    case 'lt':
      return at < start;
    case 'le':
      return at < (day ? end : start + 1);
    case 'ne':
      return !(at >= start && at < (day ? end : start + 1));
    default:
      return at >= start && at < (day ? end : start + 1);
  }
}

/** Where a search stopped: a page of the store (its cursor) and how many matches of it were handed out. */
interface Position {
  cursor: string | undefined;
  skip: number;
}
const encodePosition = (p: Position) => Buffer.from(JSON.stringify(p)).toString('base64url');
function decodePosition(text: string): Position {
  try {
    const p = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Position;
    if (Number.isInteger(p.skip) && p.skip >= 0 && (p.cursor === undefined || typeof p.cursor === 'string')) return p;
  } catch {
    // reported below
  }
  throw new BadRequestError('Bad cursor', [
    issue('invalid', 'cursor must be taken unchanged from a next link', 'cursor'),
  ]);
}
