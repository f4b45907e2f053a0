import { DELIVERY_LIFECYCLE, type MessageStatus } from './delivery-lifecycle.js';
import type { ExpectedState, MessageChange } from './message-change.js';
import type { MessageRecord, TaskState } from './message-record.js';
import { OUTCOME_LIFECYCLE, type OutcomeState, type ReceiverOutcome } from './outcome-lifecycle.js';
import { TASK_LIFECYCLE } from './task-lifecycle.js';

type ChangeRest = Omit<MessageChange, 'status' | 'outcome' | 'expect'> & {
  expect?: Pick<ExpectedState, 'attempts' | 'mailboxOf'>;
};

/**
 * A change of delivery status from the record's current one: checked against the delivery table (throws
 * IllegalTransitionError), and conditional on the record still being in that status when written.
 */
export function statusChange(record: MessageRecord, to: MessageStatus, rest: ChangeRest): MessageChange {
  DELIVERY_LIFECYCLE.assert(record.status, to);
  return { ...rest, status: to, expect: { ...rest.expect, status: record.status } };
}

/**
 * A change of delivery status from any of several statuses (a delivery's claim: from whichever state a delivery may
 * start), each checked against the delivery table; conditional on the record being in one of them when written.
 */
export function statusChangeFromAny(
  from: readonly MessageStatus[],
  to: MessageStatus,
  rest: ChangeRest,
): MessageChange {
  for (const state of from) DELIVERY_LIFECYCLE.assert(state, to);
  return { ...rest, status: to, expect: { ...rest.expect, statusIn: from } };
}

export const outcomeOf = (record: MessageRecord): OutcomeState => record.outcome ?? 'none';

/**
 * A change of the receiver's outcome, checked against the outcome table and conditional on the outcome read.
 * Undefined when the outcome is already `to` (a repeated answer changes nothing).
 */
export function outcomeChange(record: MessageRecord, to: ReceiverOutcome, rest: ChangeRest): MessageChange | undefined {
  const from = outcomeOf(record);
  if (from === to) return undefined;
  OUTCOME_LIFECYCLE.assert(from, to);
  return { ...rest, outcome: to, expect: { ...rest.expect, outcome: from } };
}

/**
 * A change of a care-home Task's FHIR status (and its business status and notes), checked against R4's Task state
 * machine and conditional on the status read. A repeated status may still carry a new business status or note.
 */
export function taskChange(record: MessageRecord, task: TaskState, rest: ChangeRest): MessageChange {
  const from = record.task?.status;
  if (!from) throw new Error(`message ${record.messageId} is not a Task`);
  if (from !== task.status) TASK_LIFECYCLE.assert(from, task.status);
  return { ...rest, task, expect: { ...rest.expect, taskStatus: from } };
}

/** The stores' shared rule: no status or outcome is written without the state it replaces. */
export function assertConditional(change: MessageChange): void {
  if (change.status !== undefined && change.expect?.status === undefined && !change.expect?.statusIn?.length) {
    throw new Error('A status write must name the status it replaces (use statusChange)');
  }
  if (change.task !== undefined && change.expect?.taskStatus === undefined) {
    throw new Error('A task write must name the task status it replaces (use taskChange)');
  }
  if (change.outcome !== undefined && change.expect?.outcome === undefined) {
    throw new Error('An outcome write must name the outcome it replaces (use outcomeChange)');
  }
}
