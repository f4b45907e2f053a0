import type { OperationOutcome } from 'fhir/r4';
import type { Caller } from '../../auth.js';
import { ConflictError, DuplicateMessageError, issue, TooEarlyError } from '../../errors.js';
import type { MessageBundle } from '../../fhir/bundle.js';
import { type Destination, firstDelivery, type MessageRecord, timelineEvent } from '../../lifecycle/message-record.js';
import type { ValidatedMessage } from '../../validation/validate-message.js';
import type { HubDependencies } from '../dependencies.js';

export interface InboundMessage {
  body: unknown;
  requestId: string;
  correlationId: string;
  caller: Caller;
  /** Decoded NHSD-Target-Identifier, when sent. */
  target?: { system: string; value: string };
  /** The body's text as received over HTTP: what is stored and delivered, unchanged. */
  rawBody?: string;
}

export interface Accepted {
  record: MessageRecord;
  /** Informative body for the 202: where the message is going. */
  outcome: OperationOutcome;
}

/** BaRS duplicates: a message identity the hub already holds is answered 409 and never processed again. */
export async function refuseIfKnown(
  deps: HubDependencies,
  messageId: string,
  known?: MessageRecord,
  requestId?: string,
): Promise<void> {
  const existing = known ?? (await deps.store.get(messageId));
  if (!existing) return;
  const inFlightFor = IN_FLIGHT_SECONDS * 1000 - (deps.clock.now().getTime() - Date.parse(existing.createdAt));
  if (existing.status === 'accepted' && existing.requestId === requestId && inFlightFor > 0) {
    // BaRS: the first request with this X-Request-Id is still being processed; a second processing never starts.
    // The sender may ask again once that request has finished or timed out (Retry-After).
    throw stillProcessing(`Request ${requestId} for message ${messageId}`, Math.ceil(inFlightFor / 1000));
  }
  deps.metric('MessageDuplicate');
  throw new DuplicateMessageError('Duplicate', [
    issue(
      'duplicate',
      `Message ${messageId} was already received at ${existing.createdAt} (X-Request-Id ${existing.requestId}); its status is ${existing.status}. It was not processed again.`,
    ),
  ]);
}

/** How long after it was stored a message still 'accepted' may be in its first request's hands (ingest's timeout). */
const IN_FLIGHT_SECONDS = 30;

const stillProcessing = (what: string, retryAfterSeconds: number) =>
  new TooEarlyError(
    'Still processing',
    [issue('duplicate', `${what} is still being processed; ask again in ${retryAfterSeconds} s`)],
    retryAfterSeconds,
  );

/**
 * Stores first (the durable yes), then enqueues; the message stays 'accepted' until the delivery worker's first write,
 * which records when it was queued. A failed enqueue leaves it for the sweep (UNQUEUED_AFTER_SECONDS).
 */
export async function storeAndEnqueue(
  deps: HubDependencies,
  record: MessageRecord,
  bundle: MessageBundle,
  asReceived?: string,
): Promise<void> {
  const stored = await deps.store.create(record, bundle, asReceived);
  // Another request is storing this message now: it is not processed twice, and this one may ask again.
  if (stored === 'in-flight') throw stillProcessing(`Message ${record.messageId}`, IN_FLIGHT_SECONDS);
  if (stored === 'duplicate') {
    await refuseIfKnown(deps, record.messageId, undefined, record.requestId);
    throw new ConflictError('Duplicate', [issue('duplicate', `Message ${record.messageId} was already received`)]);
  }
  try {
    await deps.queue.enqueue(firstDelivery(record, deps.clock.now()));
  } catch (error) {
    deps.metric('EnqueueFailed');
    deps.log.error('enqueue failed; the sweep will enqueue it', {
      messageId: record.messageId,
      error: (error as Error).message,
    });
    return;
  }
  deps.metric('MessageAccepted');
}

export function newRecord(
  message: ValidatedMessage,
  inbound: InboundMessage,
  sender: string,
  destination: Destination,
  kind: MessageRecord['kind'],
  now: Date,
): MessageRecord {
  const at = now.toISOString();
  const serviceRequestId = serviceRequestIdentity(message);
  return {
    messageId: message.bundle.id!,
    ...(serviceRequestId ? { serviceRequestId } : {}),
    kind,
    event: message.header.eventCoding?.code ?? '',
    requestId: inbound.requestId,
    correlationId: inbound.correlationId,
    senderOrganisation: sender,
    destination,
    status: 'accepted',
    attempts: 0,
    replays: 0,
    createdAt: at,
    updatedAt: at,
    timeline: [
      timelineEvent('received', now, { detail: `X-Request-Id ${inbound.requestId}` }),
      timelineEvent('validated', now, { detail: `${message.header.eventCoding?.code} conforms to the hub's profiles` }),
    ],
  };
}

/** The identity of a message's ServiceRequest focus: its id, else the uuid its fullUrl gives it (BaRS's usual way). */
export function serviceRequestIdentity(message: ValidatedMessage): string | undefined {
  const focus = message.focus;
  if (focus?.resourceType !== 'ServiceRequest') return undefined;
  if (focus.id) return focus.id;
  const fullUrl = message.bundle.entry?.find((e) => e.resource === focus)?.fullUrl;
  return fullUrl?.startsWith('urn:uuid:') ? fullUrl.slice('urn:uuid:'.length) : fullUrl;
}

export function acceptedOutcome(record: MessageRecord): OperationOutcome {
  const d = record.destination;
  const where = d.serviceName ? `${d.serviceName} (${d.organisation})` : d.organisation;
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'information',
        code: 'informational',
        details: { text: `Message ${record.messageId} accepted: ${record.status}` },
        diagnostics: `Accepted message ${record.messageId} (${record.event}); routed to ${where} by ${d.channel === 'mailbox' ? 'mailbox' : 'FHIR push'}${record.route ? ` under rule ${record.route.ruleId}` : ''}${record.route?.divertedFrom ? ` instead of ${record.route.divertedFrom}, which is ${record.route.divertedBecause}` : ''}. Status: GET /messages/${record.messageId}`,
      },
    ],
  };
}
