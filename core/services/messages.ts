import { type Caller, requireOps, requireOrganisation } from '../auth.js';
import { ConflictError, ForbiddenError, issue, NotFoundError, UnprocessableError } from '../errors.js';
import {
  type Destination,
  type MessageRecord,
  type MessageStatus,
  timelineEvent,
} from '../lifecycle/message-record.js';
import type { Page } from '../ports.js';
import type { HubDependencies } from './dependencies.js';

/** Most messages one status page lists. */
export const STATUS_PAGE_SIZE = 50;

const STATUSES: MessageStatus[] = [
  'accepted',
  'queued',
  'delivering',
  'retrying',
  'delivered',
  'in-mailbox',
  'acknowledged',
  'failed',
];

/** A message's status and timeline, for its sender, its receiver, or ops. */
export async function messageStatus(deps: HubDependencies, caller: Caller, messageId: string): Promise<MessageRecord> {
  const organisation = requireOrganisation(caller);
  const record = await deps.store.get(messageId);
  if (!record) throw new NotFoundError('No such message', [issue('not-found', `No message ${messageId}`)]);
  if (!caller.ops && organisation !== record.senderOrganisation && organisation !== record.destination.organisation) {
    throw new ForbiddenError('Not yours', [
      issue('forbidden', `Organisation ${organisation} was not a party to message ${messageId}`),
    ]);
  }
  return record;
}

/** Senders list the messages they sent; ops list by status (?status=failed). */
export async function listMessages(
  deps: HubDependencies,
  caller: Caller,
  query: { status?: string; cursor?: string },
): Promise<Page<MessageRecord>> {
  const organisation = requireOrganisation(caller);
  if (query.status !== undefined) {
    requireOps(caller);
    if (!STATUSES.includes(query.status as MessageStatus)) {
      throw new UnprocessableError('Bad status', [
        issue('value', `status must be one of ${STATUSES.join(', ')}`, 'status'),
      ]);
    }
    return deps.store.listByStatus(query.status as MessageStatus, STATUS_PAGE_SIZE, query.cursor);
  }
  return deps.store.listBySender(organisation, STATUS_PAGE_SIZE, query.cursor);
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
      issue('conflict', `Only failed messages can be replayed; ${messageId} is ${record.status}`),
    ]);
  const destination = toServiceId ? await serviceDestination(deps, record, toServiceId) : record.destination;
  const now = deps.clock.now();
  const replay = record.replays + 1;
  const updated = await deps.store.update(messageId, {
    fromStatuses: ['failed'],
    status: 'queued',
    attempts: 0,
    replays: replay,
    destination,
    clearOutcome: true,
    events: [
      timelineEvent('replayed', now, {
        detail: `replay ${replay} by ${caller.organisation} to ${destination.serviceName ?? destination.organisation}${toServiceId ? ` (was ${record.destination.serviceName ?? record.destination.organisation})` : ''}`,
      }),
    ],
    at: now,
  });
  if (!updated)
    throw new ConflictError('Changed', [issue('conflict', `Message ${messageId} changed while replaying; try again`)]);
  await deps.queue.enqueue(messageId);
  deps.metric('MessageReplayed');
  return updated;
}

async function serviceDestination(
  deps: HubDependencies,
  record: MessageRecord,
  serviceId: string,
): Promise<Destination> {
  const network = await deps.directory.networkOfOrganisation(record.senderOrganisation);
  const service = network?.services.get(serviceId);
  if (!network || !service)
    throw new UnprocessableError('Unknown service', [
      issue('not-found', `Service ${serviceId} is not in the sender's network`, 'service'),
    ]);
  const endpoint = network.endpoints.get(service.endpoint)!;
  const provider = network.organisations.get(service.provider);
  return {
    organisation: service.provider,
    serviceId: service.id,
    serviceName: service.name,
    endpointId: endpoint.id,
    channel: endpoint.channel,
    ...(provider ? { organisationName: provider.name } : {}),
    ...(endpoint.address ? { address: endpoint.address } : {}),
  };
}
