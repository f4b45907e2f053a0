import { actor, type Caller, requireOrganisation } from '../auth.js';
import { issue, NotFoundError } from '../errors.js';
import type { MessageBundle } from '../fhir/bundle.js';
import { pageSize } from '../fhir/paging.js';
import { type MessageRecord, timelineEvent } from '../lifecycle/message-record.js';
import { statusChange } from '../lifecycle/transitions.js';
import type { Page } from '../ports.js';
import type { HubDependencies } from './dependencies.js';

/** Messages one mailbox page lists unless `_count` says otherwise. */
export const MAILBOX_PAGE_SIZE = 50;
/** The most one mailbox page may ask for with `_count`. */
export const MAX_MAILBOX_PAGE = 200;

/** Messages waiting for the calling organisation, oldest first. Each receiver sees only its own mailbox. */
export async function listMailbox(
  deps: HubDependencies,
  caller: Caller,
  query: { cursor?: string; _count?: string } = {},
): Promise<Page<MessageRecord>> {
  const count = pageSize(query._count, MAILBOX_PAGE_SIZE, MAX_MAILBOX_PAGE);
  return deps.store.listMailbox(requireOrganisation(caller), count, query.cursor);
}

/** One waiting message's Bundle, as the sender sent it (identifier systems canonical), with its record; each read recorded. */
export async function fetchFromMailbox(
  deps: HubDependencies,
  caller: Caller,
  messageId: string,
): Promise<{ record: MessageRecord; bundle: MessageBundle }> {
  const record = await ownMailboxMessage(deps, caller, messageId);
  const bundle = await deps.store.getBundle(messageId);
  if (!bundle)
    throw new NotFoundError('Body gone', [issue('not-found', `The body of message ${messageId} is no longer held`)]);
  // Every read of the patient's details is recorded, each time: who and when.
  const now = deps.clock.now();
  await deps.store.update(messageId, {
    events: [timelineEvent('fetched', now, { detail: `patient details read by ${actor(caller)}` })],
    at: now,
  });
  return { record, bundle };
}

/** Acknowledging takes the message out of the mailbox; acknowledging twice is harmless. */
export async function acknowledgeMailboxMessage(
  deps: HubDependencies,
  caller: Caller,
  messageId: string,
): Promise<MessageRecord> {
  const record = await ownMailboxMessage(deps, caller, messageId);
  if (record.status === 'acknowledged') return record;
  const now = deps.clock.now();
  const updated = await deps.store.update(
    messageId,
    statusChange(record, 'acknowledged', {
      mailbox: null,
      events: [timelineEvent('acknowledged', now, { detail: `by ${actor(caller)}` })],
      at: now,
    }),
  );
  if (updated) deps.metric('MailboxAcknowledged');
  return updated ?? (await deps.store.get(messageId))!;
}

async function ownMailboxMessage(deps: HubDependencies, caller: Caller, messageId: string): Promise<MessageRecord> {
  const organisation = requireOrganisation(caller);
  const record = await deps.store.get(messageId);
  // Another organisation's message is reported as absent: a mailbox does not reveal what others receive.
  const inMailbox =
    record?.destination.channel === 'mailbox' &&
    record.destination.organisation === organisation &&
    ['in-mailbox', 'acknowledged'].includes(record.status);
  if (!record || !inMailbox) {
    throw new NotFoundError('Not in mailbox', [
      issue('not-found', `Message ${messageId} is not in ${organisation}'s mailbox`),
    ]);
  }
  return record;
}
