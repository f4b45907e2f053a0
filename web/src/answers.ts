import { SYSTEMS } from '../../core/fhir/systems';
import { api, apiPath } from './api';

/**
 * A receiving team's answers, as the FHIR messages a receiver's system would send (servicerequest-response with a
 * Task): the page posts them to $process-message like any integrator, and the hub carries them to the practice.
 */

export type AnswerAction = 'accepted' | 'rejected' | 'in-progress' | 'completed' | 'cancelled';

export interface Coded {
  code: string;
  display: string;
}

/** Why a team cannot take a referral (the hub's own code system: no national list exists). */
export const REJECTION_REASONS: readonly Coded[] = [
  { code: 'not-eligible', display: 'The patient is not eligible for this service' },
  { code: 'no-capacity', display: 'The service has no capacity' },
  { code: 'patient-declined', display: 'The patient declined' },
  { code: 'wrong-service', display: 'This service is not the right one' },
  { code: 'other', display: 'Another reason' },
];

/** How a piece of work ended (the hub's own code system until verified SNOMED CT outcome codes are mapped). */
export const OUTCOMES: readonly Coded[] = [
  { code: 'goals-met', display: 'Support given, goals met' },
  { code: 'goals-partly-met', display: 'Support given, goals partly met' },
  { code: 'signposted', display: 'Signposted to another service' },
  { code: 'patient-disengaged', display: 'The patient stopped taking part' },
  { code: 'other', display: 'Another outcome' },
];

export const REJECTION_REASON_SYSTEM = SYSTEMS.rejectionReason;
export const OUTCOME_SYSTEM = SYSTEMS.referralOutcome;

const entry = (resource: Record<string, unknown>) => ({ fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource });

/** The answer message: the team's organisation as sender, the original's id, the Task in its new state. */
export function answerMessage(options: {
  receiverOds: string;
  originalMessageId: string;
  action: AnswerAction;
  reason?: Coded;
  outcome?: Coded;
  note?: string;
}) {
  const sender = entry({
    resourceType: 'Organization',
    identifier: [{ system: SYSTEMS.odsOrganisation, value: options.receiverOds }],
  });
  const task = entry({
    resourceType: 'Task',
    identifier: [{ system: SYSTEMS.inboxTaskId, value: crypto.randomUUID() }],
    status: options.action,
    intent: 'order',
    ...(options.reason
      ? {
          statusReason: {
            coding: [{ system: REJECTION_REASON_SYSTEM, ...options.reason }],
            text: options.note || options.reason.display,
          },
        }
      : {}),
    ...(options.outcome
      ? {
          output: [
            {
              type: { text: 'Outcome' },
              valueCodeableConcept: {
                coding: [{ system: OUTCOME_SYSTEM, ...options.outcome }],
                text: options.outcome.display,
              },
            },
          ],
        }
      : {}),
    ...(options.note && !options.reason ? { note: [{ text: options.note }] } : {}),
  });
  const header = entry({
    resourceType: 'MessageHeader',
    eventCoding: { system: SYSTEMS.barsMessageEvents, code: 'servicerequest-response' },
    sender: { reference: sender.fullUrl },
    source: { endpoint: `${SYSTEMS.odsOrganisation}|${options.receiverOds}` },
    response: { identifier: options.originalMessageId, code: 'ok' },
    focus: [{ reference: task.fullUrl }],
  });
  return {
    resourceType: 'Bundle',
    id: crypto.randomUUID(),
    type: 'message',
    timestamp: new Date().toISOString(),
    entry: [header, task, sender],
  };
}

/** Sends the answer under the case's X-Correlation-Id, as BaRS asks. */
export function sendAnswer(correlationId: string, message: ReturnType<typeof answerMessage>): Promise<unknown> {
  return api(apiPath('POST /$process-message', {}), {
    method: 'POST',
    headers: {
      'content-type': 'application/fhir+json',
      'x-request-id': crypto.randomUUID(),
      'x-correlation-id': correlationId,
    },
    body: JSON.stringify(message),
  });
}
