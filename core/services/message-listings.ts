import { actor, type Caller, requireOps, requireOrganisation } from '../auth.js';
import { ConflictError, issue, NotFoundError, UnprocessableError } from '../errors.js';
import { isValidNhsNumber } from '../fhir/nhs-number.js';
import { pageSize } from '../fhir/paging.js';
import { DELIVERY_LIFECYCLE, type MessageStatus } from '../lifecycle/delivery-lifecycle.js';
import { type MessageRecord, queuedDelivery, timelineEvent } from '../lifecycle/message-record.js';
import { statusChange } from '../lifecycle/transitions.js';
import type { Page } from '../ports.js';
import type { HubDependencies } from './dependencies.js';
import { destinationOfService } from './destinations.js';
import { notifySender } from './notifications.js';

/** Messages one page lists unless `_count` says otherwise, and the most it may ask for. */
export const STATUS_PAGE_SIZE = 50;
export const MAX_MESSAGE_PAGE = 200;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Most messages of one case listed (a referral, its answers, updates, notices: a handful in practice). */
export const CASE_PAGE_SIZE = 200;

/** A message's status and timeline, for its sender, its receiver, or ops. */
export async function messageStatus(deps: HubDependencies, caller: Caller, messageId: string): Promise<MessageRecord> {
  const organisation = requireOrganisation(caller);
  const record = await deps.store.get(messageId);
  const party =
    record && (caller.ops || [record.senderOrganisation, record.destination.organisation].includes(organisation));
  // Another organisation's message answers exactly as a message that does not exist: ids cannot be probed.
  if (!record || !party)
    throw new NotFoundError('No such message', [issue('not-found', `No message ${messageId} for ${organisation}`)]);
  return seenBy(caller, record);
}

/**
 * A record as a caller may see it: who it is about only for its sender and receiver, who may read the message
 * itself; anyone else (ops) asks for the patient, and the asking is recorded.
 */
export function seenBy(caller: Caller, record: MessageRecord): MessageRecord {
  if (!record.patient) return record;
  if ([record.senderOrganisation, record.destination.organisation].includes(caller.organisation ?? '')) return record;
  const { patient: _hidden, ...rest } = record;
  return rest;
}

/** Most store pages one filtered search reads before answering with what it found and a cursor to go on. */
export const SEARCH_PAGES_READ = 10;

/** Ops' search filters, combinable: who sent it, where it went, which service, its status, when it arrived. */
export interface MessageSearch {
  sender?: string;
  destination?: string;
  service?: string;
  status?: MessageStatus;
  /** Received at or after / before (ISO date-times). */
  since?: string;
  until?: string;
}

const ODS = /^[A-Z0-9]{3,10}$/i;

function searchOf(query: Record<string, string | undefined>): MessageSearch | undefined {
  const problems = [];
  for (const name of ['sender', 'destination'] as const)
    if (query[name] !== undefined && !ODS.test(query[name]!))
      problems.push(issue('value', `${name} must be an ODS code`, name));
  for (const name of ['since', 'until'] as const)
    if (query[name] !== undefined && Number.isNaN(Date.parse(query[name]!)))
      problems.push(issue('value', `${name} must be a date and time (ISO 8601)`, name));
  if (query.status !== undefined && !DELIVERY_LIFECYCLE.states.includes(query.status as MessageStatus))
    problems.push(issue('value', `status must be one of ${DELIVERY_LIFECYCLE.states.join(', ')}`, 'status'));
  if (problems.length) throw new UnprocessableError('Bad search', problems);
  const search: MessageSearch = {
    ...(query.sender ? { sender: query.sender.toUpperCase() } : {}),
    ...(query.destination ? { destination: query.destination.toUpperCase() } : {}),
    ...(query.service ? { service: query.service } : {}),
    ...(query.status ? { status: query.status as MessageStatus } : {}),
    ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
    ...(query.until ? { until: new Date(query.until).toISOString() } : {}),
  };
  return Object.keys(search).length ? search : undefined;
}

/**
 * A filtered search, newest first: the narrowest listing the store keeps an index for (sender, receiver, status,
 * else all), filtered by the rest, a few store pages at a time. It stops at messages older than `since`.
 */
async function searchMessages(deps: HubDependencies, search: MessageSearch, count: number, cursor?: string) {
  const list = (next?: string) =>
    search.sender
      ? deps.store.listBySender(search.sender, count, next)
      : search.destination
        ? deps.store.listByReceiver(search.destination, count, next)
        : search.status
          ? deps.store.listByStatus(search.status, count, next)
          : deps.store.listAll(count, next);
  const matches = (m: MessageRecord) =>
    (!search.sender || m.senderOrganisation === search.sender) &&
    (!search.destination || m.destination.organisation === search.destination) &&
    (!search.service || m.destination.serviceId === search.service) &&
    (!search.status || m.status === search.status) &&
    (!search.since || m.createdAt >= search.since) &&
    (!search.until || m.createdAt < search.until);
  const items: MessageRecord[] = [];
  let next = cursor;
  for (let read = 0; read < SEARCH_PAGES_READ && items.length < count; read++) {
    const page = await list(next);
    items.push(...page.items.filter(matches));
    next = page.cursor;
    // Newest first (by arrival, or for a status by the later time it entered it): nothing older can match.
    const oldest = page.items.at(-1);
    const pastRange = search.since && oldest && (search.status ? oldest.updatedAt : oldest.createdAt) < search.since;
    if (!next || pastRange) return { items };
  }
  return { items, ...(next ? { cursor: next } : {}) };
}

/** Which of an organisation's messages to list: those it sent (the default), or those delivered to it. */
export const BOXES = ['sent', 'received'] as const;

/**
 * Organisations list the messages they sent (?box=sent, the default) or received (?box=received: everything
 * delivered to them, collected or not); ops list every message, those in one status (?status=failed), or those past
 * their deadline (?overdue=true, most recently escalated first). Newest first.
 */
export async function listMessages(
  deps: HubDependencies,
  caller: Caller,
  query: Parameters<typeof findMessages>[2],
): Promise<Page<MessageRecord>> {
  const page = await findMessages(deps, caller, query);
  return { ...page, items: page.items.map((record) => seenBy(caller, record)) };
}

async function findMessages(
  deps: HubDependencies,
  caller: Caller,
  query: {
    status?: string;
    overdue?: string;
    box?: string;
    patient?: string;
    case?: string;
    cursor?: string;
    _count?: string;
    sender?: string;
    destination?: string;
    service?: string;
    since?: string;
    until?: string;
  },
): Promise<Page<MessageRecord>> {
  const organisation = requireOrganisation(caller);
  const count = pageSize(query._count, STATUS_PAGE_SIZE, MAX_MESSAGE_PAGE);
  if (['sender', 'destination', 'service', 'since', 'until'].some((name) => query[name as keyof typeof query])) {
    requireOps(caller);
    return searchMessages(deps, searchOf(query)!, count, query.cursor);
  }
  if (query.case !== undefined) {
    // A case: every message under one X-Correlation-Id, oldest first; a party sees its own messages of it.
    if (!GUID.test(query.case))
      throw new UnprocessableError('Bad case', [issue('value', 'case must be an X-Correlation-Id (a GUID)', 'case')]);
    const { items } = await deps.store.listByCorrelation(
      query.case,
      pageSize(query._count, CASE_PAGE_SIZE, CASE_PAGE_SIZE),
    );
    const mine = (r: MessageRecord) => [r.senderOrganisation, r.destination.organisation].includes(organisation);
    return { items: caller.ops ? items : items.filter(mine) };
  }
  if (query.patient !== undefined) {
    // A patient's messages by NHS number (through a keyed hash: the index holds no NHS number in clear): every one
    // for ops; for a practice or a team, the ones it sent or received.
    const nhsNumber = query.patient.replace(/\s/g, '');
    if (!isValidNhsNumber(nhsNumber))
      throw new UnprocessableError('Bad NHS number', [
        issue('value', 'patient must be a valid NHS number (10 digits with a correct check digit)', 'patient'),
      ]);
    const page = await deps.store.listByPatient(nhsNumber, count, query.cursor);
    const mine = (r: MessageRecord) => [r.senderOrganisation, r.destination.organisation].includes(organisation);
    return caller.ops ? page : { ...page, items: page.items.filter(mine) };
  }
  if (query.box !== undefined && !BOXES.includes(query.box as (typeof BOXES)[number]))
    throw new UnprocessableError('Bad box', [issue('value', `box must be one of ${BOXES.join(', ')}`, 'box')]);
  if (query.box === 'received') return deps.store.listByReceiver(organisation, count, query.cursor);
  if (query.overdue !== undefined) {
    requireOps(caller);
    if (query.overdue !== 'true')
      throw new UnprocessableError('Bad overdue', [issue('value', 'overdue takes only true', 'overdue')]);
    return deps.store.listOverdue(count, query.cursor);
  }
  if (query.status !== undefined) {
    requireOps(caller);
    if (!DELIVERY_LIFECYCLE.states.includes(query.status as MessageStatus)) {
      throw new UnprocessableError('Bad status', [
        issue('value', `status must be one of ${DELIVERY_LIFECYCLE.states.join(', ')}`, 'status'),
      ]);
    }
    return deps.store.listByStatus(query.status as MessageStatus, count, query.cursor);
  }
  if (caller.ops && query.box === undefined) return deps.store.listAll(count, query.cursor);
  return deps.store.listBySender(organisation, count, query.cursor);
}

/**
 * Ops re-send a failed message from its stored original, to its destination or to another service of the
 * sender's network. The same message identity is kept, so a receiver that did get it can discard the copy;
 * the timeline records the replay, who asked, and where it went.
 */
export async function replayMessage(
  deps: HubDependencies,
  caller: Caller,
  messageId: string,
  toServiceId?: string,
): Promise<MessageRecord> {
  requireOps(caller);
  const record = await deps.store.get(messageId);
  if (!record) throw new NotFoundError('No such message', [issue('not-found', `No message ${messageId}`)]);
  if (record.status !== 'failed')
    throw new ConflictError('Not failed', [
      issue(
        'conflict',
        `Message ${messageId} is '${record.status}': only failed messages are replayed (a delivered one the receiver lost is re-sent with $resend)`,
      ),
    ]);
  const destination = toServiceId ? await serviceDestination(deps, record, toServiceId) : record.destination;
  const now = deps.clock.now();
  const replay = record.replays + 1;
  const where = destination.serviceName ?? destination.organisation;
  const updated = await deps.store.update(
    messageId,
    statusChange(record, 'queued', {
      attempts: 0,
      replays: replay,
      destination,
      events: [
        timelineEvent('replayed', now, {
          detail: `replay ${replay} by ${actor(caller)} to ${where}${toServiceId ? ` (was ${record.destination.serviceName ?? record.destination.organisation})` : ''}`,
        }),
      ],
      at: now,
    }),
  );
  if (!updated)
    throw new ConflictError('Changed', [issue('conflict', `Message ${messageId} changed while replaying; try again`)]);
  deps.metric('MessageReplayed');
  await deps.queue.enqueue(queuedDelivery(updated)).catch((error: Error) => {
    // The replay is stored ('queued'): the sweep enqueues it; ops need not retry.
    deps.metric('EnqueueFailed');
    deps.log.error('enqueue of a replay failed; the sweep will enqueue it', { messageId, error: error.message });
  });
  // The practice was told this referral failed: without word of the replay it may refer the patient again.
  await notifySender(deps, updated, {
    code: 'ok',
    text: `The hub has re-sent this referral (after the earlier delivery failure) to ${where}; you will be told when it is delivered.`,
  });
  return seenBy(caller, (await deps.store.get(messageId)) ?? updated);
}

/** Another service of the sender's network, for a replay elsewhere. */
export async function serviceDestination(deps: HubDependencies, record: MessageRecord, serviceId: string) {
  const network = await deps.directory.networkOfOrganisation(record.senderOrganisation);
  const service = network?.services.get(serviceId);
  if (!network || !service)
    throw new UnprocessableError('Unknown service', [
      issue('not-found', `Service ${serviceId} is not in the sender's network`, 'service'),
    ]);
  return destinationOfService(network, service);
}
