import { issue, UnprocessableError } from '../../errors.js';
import { patientSummaryOf } from '../../fhir/patient-index.js';
import { timelineEvent } from '../../lifecycle/message-record.js';
import { outcomeChange } from '../../lifecycle/transitions.js';
import type { ValidatedMessage } from '../../validation/validate-message.js';
import type { HubDependencies } from '../dependencies.js';
import { applyAnswer } from './answers.js';
import {
  type Accepted,
  acceptedOutcome,
  type InboundMessage,
  newRecord,
  refuseIfKnown,
  serviceRequestIdentity,
  storeAndEnqueue,
} from './stored.js';

/** The rule an update or cancellation is routed by: where its referral went. */
const UPDATE_RULE_PREFIX = 'update-of:';

/** Most messages of one case the hub reads to find the referral an update belongs to. */
const CASE_LOOKUP_LIMIT = 100;

/** ServiceRequest statuses that end a referral from its sender's side (BaRS: revoked cancels, entered-in-error withdraws). */
const ENDING_STATUSES: Record<string, string> = {
  revoked: 'cancelled the referral',
  'entered-in-error': 'withdrew the referral as sent in error',
};

/**
 * BaRS updates and cancellations (reason update/delete; a cancellation is an update with status revoked, a referral
 * sent in error is reason delete with status entered-in-error) go where the case's referral went, whatever the
 * routing rules say now: the receiver holding the referral must get them. The referral is the one of the case
 * (X-Correlation-Id) whose ServiceRequest has the same identity, as BaRS matches them.
 */
export async function acceptUpdate(
  deps: HubDependencies,
  inbound: InboundMessage,
  message: ValidatedMessage,
  sender: string,
  reason: 'update' | 'delete',
): Promise<Accepted> {
  const now = deps.clock.now();
  const caseMessages = (await deps.store.listByCorrelation(inbound.correlationId, CASE_LOOKUP_LIMIT)).items;
  const referrals = caseMessages.filter(
    (m) =>
      m.kind === 'request' &&
      m.senderOrganisation === sender &&
      m.event === message.header.eventCoding?.code &&
      !m.route?.ruleId.startsWith(UPDATE_RULE_PREFIX), // the referral itself, not an earlier update of it
  );
  const identity = serviceRequestIdentity(message);
  const original =
    referrals.find((m) => identity !== undefined && m.serviceRequestId === identity) ??
    // A referral whose ServiceRequest has no identity of its own: the case's referral.
    referrals.find((m) => m.serviceRequestId === undefined || identity === undefined);
  if (!original) {
    throw new UnprocessableError('Unknown referral', [
      issue(
        'business-rule',
        referrals.length === 0
          ? `An update or cancellation must carry the X-Correlation-Id of the referral it changes; the hub has no referral from ${sender} in case ${inbound.correlationId}`
          : `ServiceRequest ${identity} is not the referral of case ${inbound.correlationId}: an update or cancellation names the ServiceRequest it changes by the same id (or fullUrl)`,
        referrals.length === 0 ? 'X-Correlation-Id' : 'Bundle.entry[0].resource.focus',
      ),
    ]);
  }
  // BaRS: a cancellation is reason 'delete', or an update whose ServiceRequest is revoked or entered in error.
  // Refused when the referral's outcome is already final (a completed referral cannot be cancelled).
  const status = message.focus?.resourceType === 'ServiceRequest' ? message.focus.status : undefined;
  const ending = ENDING_STATUSES[status ?? ''] ?? (reason === 'delete' ? ENDING_STATUSES.revoked : undefined);
  const cancels = ending !== undefined;
  /** The referral's side of the link: cancelled (its outcome) or updated, pointing at the update. */
  const link = async (updateId: string) => {
    if (cancels) {
      await applyAnswer(deps, original.messageId, { outcome: 'cancelled', by: sender }, (at) =>
        timelineEvent('cancelled', at, { detail: `${sender} ${ending}`, relatedMessageId: updateId }),
      );
    } else {
      await deps.store.update(original.messageId, {
        events: [timelineEvent('updated', now, { detail: `${sender} sent an update`, relatedMessageId: updateId })],
        at: now,
      });
    }
  };
  const known = await deps.store.get(message.bundle.id!);
  if (known) {
    // A repeat of an update the hub stored: if the process stopped before the referral was linked, link it now.
    const linked = original.timeline.some((e) => e.relatedMessageId === known.messageId);
    if (known.route?.ruleId === `${UPDATE_RULE_PREFIX}${original.messageId}` && !linked) await link(known.messageId);
    await refuseIfKnown(deps, known.messageId, known, inbound.requestId);
  }
  if (cancels) outcomeChange(original, 'cancelled', { events: [], at: now });
  const record = newRecord(message, inbound, sender, original.destination, 'request', now);
  if (original.senderName) record.senderName = original.senderName;
  const patient = patientSummaryOf(message.bundle) ?? original.patient;
  if (patient) record.patient = patient;
  if (original.route)
    record.route = {
      ...original.route,
      ruleId: `${UPDATE_RULE_PREFIX}${original.messageId}`,
      explanation: [`${cancels ? 'cancellation' : 'update'} of ${original.messageId}: sent where the referral went`],
    };
  record.timeline.push(
    timelineEvent('routed', now, {
      detail: `${cancels ? 'cancellation' : 'update'} of ${original.messageId} -> ${original.destination.serviceName ?? original.destination.organisation} (${original.destination.organisation})`,
      relatedMessageId: original.messageId,
    }),
  );
  await storeAndEnqueue(deps, record, message.bundle, inbound.rawBody);
  await link(record.messageId);
  return { record, outcome: acceptedOutcome(record) };
}
