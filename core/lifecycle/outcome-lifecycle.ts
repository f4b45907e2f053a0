import { defineLifecycle } from './state-machine.js';

/**
 * What the receiver (or, for a cancellation, the sender) has said about a referral or task, apart from how its
 * delivery went. 'none' until the first answer. Completed, rejected, cancelled and failed are final: a late
 * "accepted" after "completed" is refused, never written. Repeating the current outcome is accepted as a no-op, so
 * a receiver may safely resend an answer.
 */
export type OutcomeState =
  | 'none'
  | 'accepted'
  | 'rejected'
  | 'in-progress'
  | 'completed'
  | 'cancelled'
  | 'failed'
  | 'forwarded'
  | 'withdrawn';

/**
 * 'forwarded': the receiver passed a misrouted referral on to another service, before taking it on.
 * 'withdrawn': hub operations withdrew it (sent in error, say); its sender and receiver were told.
 */
export const OUTCOME_LIFECYCLE = defineLifecycle<OutcomeState>('receiver outcome', {
  none: ['accepted', 'rejected', 'in-progress', 'completed', 'cancelled', 'failed', 'forwarded', 'withdrawn'],
  accepted: ['in-progress', 'completed', 'cancelled', 'failed', 'withdrawn'],
  'in-progress': ['completed', 'cancelled', 'failed', 'withdrawn'],
  completed: [],
  rejected: [],
  cancelled: [],
  failed: [],
  forwarded: [],
  withdrawn: [],
});

/** The receiver's outcome as stored: absent means 'none'. */
export type ReceiverOutcome = Exclude<OutcomeState, 'none'>;
