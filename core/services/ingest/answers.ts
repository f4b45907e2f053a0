import type { CodeableConcept } from 'fhir/r4';
import { requireRole } from '../../auth.js';
import { ForbiddenError, IllegalTransitionError, issue, UnprocessableError } from '../../errors.js';
import type { MessageChange } from '../../lifecycle/message-change.js';
import {
  type AnswerGiven,
  type MessageRecord,
  type ReceiverOutcome,
  type TaskState,
  type TimelineEvent,
  timelineEvent,
} from '../../lifecycle/message-record.js';
import { FINISHED_TASK_STATES } from '../../lifecycle/response-deadlines.js';
import { outcomeChange, taskChange } from '../../lifecycle/transitions.js';
import type { ValidatedMessage } from '../../validation/validate-message.js';
import type { HubDependencies } from '../dependencies.js';
import { returnAddress } from '../destinations.js';
import {
  type Accepted,
  acceptedOutcome,
  type InboundMessage,
  newRecord,
  refuseIfKnown,
  storeAndEnqueue,
} from './stored.js';
import { businessStatusOf, notesOf } from './task-content.js';

export async function acceptAnswer(
  deps: HubDependencies,
  inbound: InboundMessage,
  message: ValidatedMessage,
  sender: string,
): Promise<Accepted> {
  const now = deps.clock.now();
  const originalId = message.header.response?.identifier ?? '';
  const original = await deps.store.get(originalId);
  if (!original) throw unknownOriginal(originalId);
  if (sender !== original.senderOrganisation && sender !== original.destination.organisation) {
    // Not a party: told exactly what an unknown id is told, so ids cannot be probed.
    throw unknownOriginal(originalId);
  }
  const focusStatus = message.focus?.resourceType === 'Task' ? message.focus.status : undefined;
  const requesterCancelsTask = original.task !== undefined && focusStatus === 'cancelled';
  const asReceiver = sender === original.destination.organisation;
  if (asReceiver) requireRole(inbound.caller, ['receiver'], 'Answering a message delivered to this organisation');
  else if (requesterCancelsTask) requireRole(inbound.caller, ['sender'], 'Cancelling a Task');
  if (!asReceiver && !requesterCancelsTask) {
    throw new ForbiddenError('Not the receiver', [
      issue(
        'forbidden',
        `An answer to message ${originalId} comes from ${original.destination.organisation}, the organisation it was delivered to; its sender changes it with an update or cancellation`,
        'Bundle.entry[0].resource.sender',
      ),
    ]);
  }
  if (inbound.correlationId !== original.correlationId) {
    throw new UnprocessableError('Correlation mismatch', [
      issue(
        'business-rule',
        `X-Correlation-Id must be the one of the original message (${original.correlationId})`,
        'X-Correlation-Id',
      ),
    ]);
  }
  const answer = answerOf(message, sender, now);
  const said = [
    answer.task && original.task
      ? `task ${answer.task.status}${answer.task.businessStatus ? ` (${answer.task.businessStatus})` : ''}`
      : undefined,
    answer.outcome ?? (answer.task ? undefined : message.header.response?.code),
    // A coded reason or outcome is the team's choice from a list: on the timeline (its own words stay off it).
    answer.codedReason ? `"${answer.reason}"` : undefined,
  ].filter(Boolean);
  const answered = (answerId: string) => (at: Date) =>
    timelineEvent(answer.task && original.task ? 'task-updated' : 'responded', at, {
      detail: `${sender} answered: ${said.join('; ')}`,
      relatedMessageId: answerId,
    });
  const known = await deps.store.get(message.bundle.id!);
  if (known) {
    // A repeat of an answer the hub stored: if the process stopped before the original took it in, finish that now.
    if (known.inReplyTo === originalId && !original.timeline.some((e) => e.relatedMessageId === known.messageId)) {
      await applyAnswer(deps, originalId, answer, answered(known.messageId));
    }
    await refuseIfKnown(deps, known.messageId, known, inbound.requestId);
  }
  // Refused before anything is stored when the outcome or the Task's status may not follow the current one.
  answerChange(original, answer, { events: [], at: now });
  const otherParty =
    sender === original.senderOrganisation ? original.destination.organisation : original.senderOrganisation;
  const destination = await returnAddress(deps.directory, otherParty);
  const record = newRecord(message, inbound, sender, destination, 'response', now);
  record.inReplyTo = originalId;
  // The answer comes from the original's receiver (or, for a Task, either party): named as the original names it.
  const senderName =
    sender === original.senderOrganisation
      ? original.senderName
      : sender === original.destination.organisation
        ? original.destination.organisationName
        : undefined;
  if (senderName) record.senderName = senderName;
  if (answer.outcome) record.outcome = answer.outcome;
  if (answer.reason) record.outcomeReason = answer.reason;
  if (answer.note) record.outcomeNote = answer.note;
  record.timeline.push(
    timelineEvent('routed', now, {
      detail: `answer to ${originalId}: back to ${otherParty}`,
      relatedMessageId: originalId,
    }),
  );
  await storeAndEnqueue(deps, record, message.bundle, inbound.rawBody);
  await applyAnswer(deps, originalId, answer, answered(record.messageId));
  deps.metric('ResponseAccepted');
  return { record, outcome: acceptedOutcome(record) };
}

function unknownOriginal(originalId: string): UnprocessableError {
  return new UnprocessableError('Unknown original', [
    issue(
      'not-found',
      `MessageHeader.response.identifier ${originalId} names no message the hub carried`,
      'Bundle.entry[0].resource.response.identifier',
    ),
  ]);
}

/** What an answer says: the receiver's outcome, its reason, and for a Task its new FHIR state. */
interface Answer {
  outcome?: ReceiverOutcome;
  /** Coded where the receiver coded it (reports group by it), else its text. */
  reason?: string;
  /** The reason came from a code system (a list the receiver chose from), not its own words. */
  codedReason?: true;
  /** The receiver's own words beside a coded reason or outcome. */
  note?: string;
  /** ODS code of the organisation answering. */
  by: string;
  task?: { status: TaskState['status']; businessStatus?: string; notes: TaskState['notes'] };
}

function answerOf(message: ValidatedMessage, sender: string, now: Date): Answer {
  const focus = message.focus;
  const task =
    focus?.resourceType === 'Task'
      ? {
          status: focus.status,
          ...(businessStatusOf(focus) ? { businessStatus: businessStatusOf(focus)! } : {}),
          notes: notesOf(focus, sender, now),
        }
      : undefined;
  return { ...receiverOutcome(message), by: sender, ...(task ? { task } : {}) };
}

/**
 * The change an answer makes to its original, checked against the outcome table and, for a Task, R4's Task state
 * machine (each throws IllegalTransitionError), conditional on the states read. A referral that is answered, or a
 * Task that is finished, leaves the deadline sweep's watch. Undefined when it changes no state.
 */
function answerChange(current: MessageRecord, answer: Answer, rest: { events: TimelineEvent[]; at: Date }) {
  const extra = {
    ...(answer.reason ? { outcomeReason: answer.reason } : {}),
    ...(answer.note ? { outcomeNote: answer.note } : {}),
  };
  const task =
    answer.task && current.task
      ? taskChange(
          current,
          {
            ...current.task,
            status: answer.task.status,
            ...(answer.task.businessStatus ? { businessStatus: answer.task.businessStatus } : {}),
            notes: [...current.task.notes, ...answer.task.notes],
          },
          rest,
        )
      : undefined;
  // The Task's own state machine speaks first: its refusal names the Task's states.
  const outcome = answer.outcome ? outcomeChange(current, answer.outcome, { ...rest, ...extra }) : undefined;
  if (!outcome && !task) return undefined;
  const finished = current.task
    ? task?.task && FINISHED_TASK_STATES.includes(task.task.status)
    : answer.outcome !== undefined;
  const given: AnswerGiven = {
    at: rest.at.toISOString(),
    by: answer.by,
    ...(answer.outcome ? { outcome: answer.outcome } : {}),
    ...(answer.task && current.task ? { taskStatus: answer.task.status } : {}),
    ...(answer.reason ? { reason: answer.reason } : {}),
    ...(answer.note ? { note: answer.note } : {}),
  };
  return {
    ...rest,
    ...extra,
    ...outcome,
    ...task,
    answers: [...(current.answers ?? []), given],
    expect: { ...outcome?.expect, ...task?.expect },
    ...(finished ? { clearDue: true as const } : {}),
    // Answered: no longer overdue (off ops' overdue list and the referral's page).
    ...(finished && current.overdue ? { overdue: false } : {}),
  } satisfies MessageChange;
}

/** Times an answer's write is retried when another answer changed the original between read and write. */
const ANSWER_WRITE_ATTEMPTS = 3;

/**
 * Applies an answer to its original, conditional on the states read. A concurrent answer that got there first
 * makes it read again and re-check the tables; if the change is no longer allowed the answer (already forwarded)
 * is noted on the timeline without changing any state.
 */
export async function applyAnswer(
  deps: HubDependencies,
  messageId: string,
  answer: Answer,
  event: (at: Date) => TimelineEvent,
): Promise<void> {
  for (let attempt = 0; attempt < ANSWER_WRITE_ATTEMPTS; attempt++) {
    const current = await deps.store.get(messageId);
    if (!current) return;
    const at = deps.clock.now();
    let change: MessageChange | undefined;
    try {
      change = answerChange(current, answer, { events: [event(at)], at });
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      const ignored = event(at);
      await deps.store.update(messageId, {
        events: [{ ...ignored, detail: `${ignored.detail} (not applied: ${error.issues[0]?.diagnostics})` }],
        at,
      });
      return;
    }
    if (await deps.store.update(messageId, change ?? { events: [event(at)], at })) return;
  }
  deps.log.error('answer not applied after retries', { messageId });
}

/**
 * What the receiver said: a Task's status, else the ServiceRequest's, else response.code (none for transient-error);
 * why, as it coded it (Task.statusReason's or Task.output's coding), and its own words (the reason's text, notes).
 */
function receiverOutcome(message: ValidatedMessage): Pick<Answer, 'outcome' | 'reason' | 'codedReason' | 'note'> {
  const code = message.header.response?.code;
  const focus = message.focus;
  const task = focus?.resourceType === 'Task' ? focus : undefined;
  const coded = (concept?: CodeableConcept) => concept?.coding?.[0]?.display ?? concept?.coding?.[0]?.code;
  const codedReason =
    coded(task?.statusReason) ?? task?.output?.map((o) => coded(o.valueCodeableConcept)).find(Boolean);
  const reason = codedReason ?? task?.statusReason?.text;
  const note = [task?.statusReason?.text, ...(task?.note ?? []).map((n) => n.text)]
    .filter((text): text is string => Boolean(text) && text !== reason)
    .join(' ');
  const said = {
    ...(reason ? { reason } : {}),
    ...(codedReason ? { codedReason: true as const } : {}),
    ...(note ? { note } : {}),
  };
  const withReason = (outcome: ReceiverOutcome) => ({ outcome, ...said });
  if (focus?.resourceType === 'Task') {
    const byTask: Record<string, ReceiverOutcome> = {
      accepted: 'accepted',
      received: 'accepted',
      ready: 'accepted',
      rejected: 'rejected',
      'in-progress': 'in-progress',
      'on-hold': 'in-progress',
      completed: 'completed',
      cancelled: 'cancelled',
      failed: 'failed',
    };
    const outcome = byTask[focus.status];
    if (outcome) return withReason(outcome);
  }
  if (code === 'fatal-error') return withReason('rejected');
  // transient-error: the receiver could not process it yet; it says nothing about the referral itself.
  if (code === 'transient-error') return said;
  if (focus?.resourceType === 'ServiceRequest') {
    if (focus.status === 'completed') return withReason('completed');
    if (focus.status === 'revoked' || focus.status === 'entered-in-error') return withReason('rejected');
  }
  return withReason('accepted');
}
