import type { RouteDefinition, Urgency } from '../routing/network.js';
import type { TaskStatus } from './task-lifecycle.js';

/** A routine referral's receiver is expected to answer within a working week, unless its route says otherwise. */
export const DEFAULT_RESPONSE_HOURS = 120;
/** An urgent (asap, stat) referral's receiver within a day. */
export const DEFAULT_URGENT_RESPONSE_HOURS = 24;
/** Seconds in one hour of a response time: real hours on AWS; `npm start` compresses them to watch escalations. */
export const SECONDS_PER_HOUR = 3600;

/** Task states in which nothing more is owed: the deadline no longer applies. */
export const FINISHED_TASK_STATES: readonly TaskStatus[] = [
  'completed',
  'cancelled',
  'failed',
  'rejected',
  'entered-in-error',
];

/** When the receiver should have answered a referral routed by `route` (defaults when the route is silent). */
export function respondBy(
  route: Pick<RouteDefinition, 'respondWithinHours' | 'urgentRespondWithinHours'> | undefined,
  urgency: Urgency | undefined,
  receivedAt: Date,
  secondsPerHour: number,
): Date {
  const urgent = urgency !== undefined && urgency !== 'routine';
  const hours = urgent
    ? (route?.urgentRespondWithinHours ?? DEFAULT_URGENT_RESPONSE_HOURS)
    : (route?.respondWithinHours ?? DEFAULT_RESPONSE_HOURS);
  return new Date(receivedAt.getTime() + hours * secondsPerHour * 1000);
}
