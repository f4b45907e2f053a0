import { defineLifecycle } from './state-machine.js';

/**
 * How the hub delivers one message (the delivery status; the receiver's answer is a separate lifecycle):
 *
 *   accepted -> queued -> delivering -> delivered                  (FHIR push: the receiver answered 2xx)
 *                                    -> in-mailbox -> acknowledged (mailbox: the receiver pulled and acknowledged)
 *                                    -> retrying -> delivering ... (transient failure, attempts left)
 *                                    -> failed -> queued           (attempts used up or refused; ops replay)
 * A mailbox delivery is placed in one write, from any state a delivery starts in (no claim first: nothing is sent).
 * 'accepted' is the durable yes: stored, and on its way to the queue or on it (the worker's first write records when
 * it was queued, so the ingest writes once); 'queued' a message enqueued again (a replay, a requeue, a delivery held
 * for a paused service); 'delivering -> delivering' is a new attempt
 * claimed over a worker that died mid-attempt; 'delivering -> queued' a claim given back unspent (its destination
 * was paused meanwhile). Ops may re-send a delivered or acknowledged message a receiver says
 * it lost (-> queued), and withdraw one not yet delivered (-> withdrawn: never delivered after that).
 */
export type MessageStatus =
  | 'accepted'
  | 'queued'
  | 'delivering'
  | 'retrying'
  | 'delivered'
  | 'in-mailbox'
  | 'acknowledged'
  | 'failed'
  | 'withdrawn';

export const DELIVERY_LIFECYCLE = defineLifecycle<MessageStatus>('delivery', {
  accepted: ['queued', 'delivering', 'in-mailbox', 'failed', 'withdrawn'],
  queued: ['delivering', 'in-mailbox', 'failed', 'withdrawn'],
  delivering: ['delivering', 'delivered', 'in-mailbox', 'retrying', 'failed', 'withdrawn', 'queued'],
  retrying: ['delivering', 'in-mailbox', 'failed', 'withdrawn'],
  'in-mailbox': ['acknowledged', 'withdrawn'],
  delivered: ['queued'],
  acknowledged: ['queued'],
  failed: ['queued', 'withdrawn'],
  withdrawn: [],
});

/** Statuses from which the delivery worker may (re)start an attempt. */
export const DELIVERABLE: readonly MessageStatus[] = ['accepted', 'queued', 'retrying'];
/** Statuses in which the hub still owes the message a delivery. */
export const PENDING: readonly MessageStatus[] = ['accepted', 'queued', 'delivering', 'retrying'];
