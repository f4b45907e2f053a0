import { PENDING } from '../lifecycle/delivery-lifecycle.js';
import { type Destination, type MessageRecord, timelineEvent } from '../lifecycle/message-record.js';
import { tellSenderOfFailure } from './delivery.js';
import type { HubDependencies } from './dependencies.js';
import { destinationOfService, returnAddress } from './destinations.js';
import { deterministicId } from './deterministic-id.js';
import { sendNotification } from './notifications.js';

/** Most overdue messages one sweep escalates (the next sweep takes the rest). */
export const DEADLINE_BATCH = 200;

/**
 * The deadline sweep: every message past its deadline and still watched is escalated once.
 *  - a care-home Task not finished by Task.restriction.period.end: marked overdue; its requester and the PCN's
 *    clinical lead for care homes are told;
 *  - a referral (or Task without a deadline of its own) unanswered past its route's response time, whether still
 *    waiting in a mailbox or delivered: its sender is told the receiver has not responded.
 * Idempotent, also when two sweeps run at once: each notice has a deterministic id (a second create finds it), and
 * the escalation is a conditional write that only one sweep wins. Returns how many it escalated.
 */
export async function escalateDeadlines(deps: HubDependencies): Promise<number> {
  const now = deps.clock.now();
  let escalated = 0;
  for (const record of await deps.store.listDue(now, DEADLINE_BATCH)) {
    if (PENDING.includes(record.status)) continue; // still being delivered: the delivery's own failure path tells
    try {
      if (await escalate(deps, record, now)) escalated++;
    } catch (error) {
      // One message that cannot be escalated must not stop the others: it stays watched for the next sweep.
      deps.metric('SweepFailed');
      deps.log.error('deadline escalation failed', { messageId: record.messageId, error: (error as Error).message });
    }
  }
  if (escalated > 0) deps.metric('DeadlineEscalated', escalated);
  return escalated;
}

async function escalate(deps: HubDependencies, record: MessageRecord, now: Date): Promise<boolean> {
  const at = now.toISOString();
  if (record.status === 'failed') {
    // A failure whose sender may not have been told yet (the process stopped in between): tell it, once.
    await tellSenderOfFailure(deps, record);
    return false;
  }
  const receiver =
    record.destination.serviceName ?? record.destination.organisationName ?? record.destination.organisation;
  const isTask = record.task !== undefined;
  const text = isTask
    ? `The care-home task sent to ${receiver}${record.task!.careHome ? ` about a resident of care home ${record.task!.careHome}` : ''} was due by ${record.dueAt} and is still '${record.task!.status}'.`
    : record.status === 'in-mailbox'
      ? `${receiver} has not collected this referral from its mailbox; an answer was due by ${record.dueAt}.`
      : `${receiver} has not responded to this referral; an answer was due by ${record.dueAt}.`;
  const recipients = [await returnAddress(deps.directory, record.senderOrganisation)];
  if (isTask) {
    const lead = await clinicalLead(deps, record);
    if (lead && lead.organisation !== record.senderOrganisation) recipients.push(lead);
  }
  const kind = isTask ? 'overdue' : 'not-responded';
  const told: string[] = [];
  for (const to of recipients) {
    await sendNotification(deps, record, to, {
      code: 'ok',
      severity: 'warning',
      text,
      id: deterministicId(`${record.messageId}:${kind}:${to.organisation}`),
    });
    told.push(to.serviceName ? `${to.serviceName} (${to.organisation})` : to.organisation);
  }
  const marked = await deps.store.update(record.messageId, {
    expect: { due: true },
    clearDue: true,
    overdue: true,
    events: [timelineEvent(kind, now, { detail: `${text} Told: ${told.join(', ')}.` })],
    at: now,
  });
  if (marked) deps.log.warn(`deadline passed: ${kind}`, { messageId: record.messageId, dueAt: record.dueAt, at });
  return marked !== undefined;
}

/** The PCN's clinical lead for care homes, of the network the Task was routed in. */
async function clinicalLead(deps: HubDependencies, record: MessageRecord): Promise<Destination | undefined> {
  const network = await deps.directory.networkOfPractice(record.senderOrganisation);
  const serviceId = network?.definition.careHomeClinicalLead;
  const service = serviceId ? network?.services.get(serviceId) : undefined;
  return network && service ? destinationOfService(network, service) : undefined;
}
