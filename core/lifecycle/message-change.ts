import type { OperationOutcome } from 'fhir/r4';
import type { MessageStatus } from './delivery-lifecycle.js';
import type { AnswerGiven, Destination, MessageRecord, TaskState, TimelineEvent } from './message-record.js';
import type { OutcomeState, ReceiverOutcome } from './outcome-lifecycle.js';
import type { TaskStatus } from './task-lifecycle.js';

/** The state a conditional write expects to find: the record's previous state in its lifecycles. */
export interface ExpectedState {
  status?: MessageStatus;
  /** Any of these statuses (a delivery's claim, from whichever state a delivery may start). */
  statusIn?: readonly MessageStatus[];
  /** Only when attempts has this value (claims an attempt exactly once). */
  attempts?: number;
  /** 'none': no outcome yet. */
  outcome?: OutcomeState;
  taskStatus?: TaskStatus;
  /** Still watched by the deadline sweep (not yet answered, finished or escalated). */
  due?: true;
  /** Still to be delivered to this organisation's mailbox (placing it there is then one write). */
  mailboxOf?: string;
}

/**
 * One atomic change of a message. A change of status or outcome must say the state it expects to replace
 * (core/lifecycle/transitions.ts builds such changes from the transition tables); the store refuses any other.
 */
export interface MessageChange {
  expect?: ExpectedState;
  status?: MessageStatus;
  attempts?: number;
  /** Count one more attempt (atomically, whatever the count was). */
  incrementAttempts?: true;
  outcome?: ReceiverOutcome;
  outcomeReason?: string;
  outcomeNote?: string;
  /** The record's answers with the new one appended (the change is conditional on the state it was read in). */
  answers?: AnswerGiven[];
  destination?: Destination;
  replays?: number;
  /** Put into (organisation) or take out of (null) its mailbox listing. */
  mailbox?: string | null;
  task?: TaskState;
  /** Take it out of the deadline sweep's view (answered, finished or escalated). */
  clearDue?: true;
  /** Put it in the deadline sweep's view from this time: a follow-up (telling the sender) is owed from then. */
  dueAt?: string;
  /** Escalated past its deadline (true: into ops' overdue list), or settled after (false: answered, withdrawn). */
  overdue?: boolean;
  /** What the receiver answered when it refused the message for good (its OperationOutcome, passed to the sender). */
  receiverAnswer?: OperationOutcome;
  events: TimelineEvent[];
  at: Date;
}

/** The record fields a change sets as given (status, mailbox and the deadline have their own handling). */
export const CHANGED_FIELDS = [
  'attempts',
  'outcome',
  'outcomeReason',
  'outcomeNote',
  'answers',
  'destination',
  'replays',
  'task',
  'overdue',
  'receiverAnswer',
] as const satisfies readonly (keyof MessageChange & keyof MessageRecord)[];
