import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../core/errors.js';
import { DELIVERY_LIFECYCLE } from '../../core/lifecycle/delivery-lifecycle.js';
import { OUTCOME_LIFECYCLE } from '../../core/lifecycle/outcome-lifecycle.js';
import type { Lifecycle } from '../../core/lifecycle/state-machine.js';
import { TASK_LIFECYCLE } from '../../core/lifecycle/task-lifecycle.js';

/** Every allowed transition of a table, as "from -> to". */
const allowed = <S extends string>(lifecycle: Lifecycle<S>) =>
  lifecycle.states.flatMap((from) => lifecycle.transitions[from].map((to) => `${from} -> ${to}`));

/** Checks a table against the transitions a specification lists, and that every other pair is refused. */
function specifies<S extends string>(lifecycle: Lifecycle<S>, expected: string[], forbidden: [S, S][]) {
  it('allows exactly the transitions of its specification', () => {
    expect(allowed(lifecycle).sort()).toEqual([...expected].sort());
  });
  it.each(expected.map((t) => t.split(' -> ') as [S, S]))('allows %s -> %s', (from, to) => {
    expect(lifecycle.can(from, to)).toBe(true);
    expect(() => lifecycle.assert(from, to)).not.toThrow();
  });
  it.each(forbidden)('refuses %s -> %s with an error naming both states', (from, to) => {
    expect(lifecycle.can(from, to)).toBe(false);
    const error = (() => {
      try {
        lifecycle.assert(from, to);
      } catch (e) {
        return e as IllegalTransitionError;
      }
    })();
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ status: 409, barsCode: 'REC_CONFLICT', from, to });
    expect(error!.issues[0]!.diagnostics).toContain(`is '${from}' and cannot become '${to}'`);
  });
  it('refuses every pair it does not list', () => {
    const all = lifecycle.states.flatMap((from) => lifecycle.states.map((to) => [from, to] as [S, S]));
    const refused = all.filter(([from, to]) => !expected.includes(`${from} -> ${to}`));
    for (const [from, to] of refused) expect(lifecycle.can(from, to), `${from} -> ${to}`).toBe(false);
  });
}

describe('the delivery lifecycle', () => {
  specifies(
    DELIVERY_LIFECYCLE,
    [
      'accepted -> queued',
      'accepted -> delivering',
      'accepted -> failed',
      'queued -> delivering',
      'queued -> failed',
      'delivering -> delivering',
      'delivering -> delivered',
      'delivering -> in-mailbox',
      'accepted -> in-mailbox', // a mailbox delivery placed in one write (nothing is sent, so no claim first)
      'queued -> in-mailbox',
      'retrying -> in-mailbox',
      'delivering -> retrying',
      'delivering -> failed',
      'delivering -> queued', // a claim given back unspent: the destination was paused meanwhile
      'retrying -> delivering',
      'retrying -> failed',
      'in-mailbox -> acknowledged',
      'failed -> queued',
      'delivered -> queued', // re-sent by ops: the receiver says it lost it
      'acknowledged -> queued',
      'accepted -> withdrawn', // withdrawn by ops before it reached the receiver
      'queued -> withdrawn',
      'delivering -> withdrawn',
      'retrying -> withdrawn',
      'in-mailbox -> withdrawn',
      'failed -> withdrawn',
    ],
    [
      ['failed', 'delivered'], // a late worker after the sender was told
      ['delivered', 'failed'],
      ['withdrawn', 'queued'], // withdrawn is never delivered again
      ['delivered', 'withdrawn'], // delivered stays delivered: the withdrawal is the receiver's outcome
      ['acknowledged', 'in-mailbox'],
      ['in-mailbox', 'failed'],
      ['queued', 'delivered'], // never without an attempt
    ],
  );
  it('has withdrawn as its only final state (a delivered message may be re-sent)', () => {
    expect(DELIVERY_LIFECYCLE.states.filter((s) => DELIVERY_LIFECYCLE.isFinal(s))).toEqual(['withdrawn']);
  });
});

describe("the receiver's outcome", () => {
  specifies(
    OUTCOME_LIFECYCLE,
    [
      'none -> accepted',
      'none -> rejected',
      'none -> in-progress',
      'none -> completed',
      'none -> cancelled',
      'none -> failed',
      'none -> forwarded', // passed on to another service before being taken on
      'none -> withdrawn', // withdrawn by hub operations
      'accepted -> withdrawn',
      'in-progress -> withdrawn',
      'accepted -> in-progress',
      'accepted -> completed',
      'accepted -> cancelled',
      'accepted -> failed',
      'in-progress -> completed',
      'in-progress -> cancelled',
      'in-progress -> failed',
    ],
    [
      ['completed', 'accepted'], // the late "accepted" after "completed"
      ['completed', 'cancelled'],
      ['rejected', 'accepted'],
      ['cancelled', 'in-progress'],
      ['in-progress', 'accepted'],
      ['accepted', 'rejected'],
      ['accepted', 'forwarded'], // once taken on, it is the team's: it cancels, it does not pass on
      ['forwarded', 'accepted'], // the first team is done with it
    ],
  );
  it('makes completed, rejected, cancelled, failed, forwarded and withdrawn final', () => {
    expect(OUTCOME_LIFECYCLE.states.filter((s) => OUTCOME_LIFECYCLE.isFinal(s)).sort()).toEqual([
      'cancelled',
      'completed',
      'failed',
      'forwarded',
      'rejected',
      'withdrawn',
    ]);
  });
});

describe('the FHIR R4 Task lifecycle', () => {
  const everyState = TASK_LIFECYCLE.states.filter((s) => s !== 'entered-in-error');
  specifies(
    TASK_LIFECYCLE,
    [
      'draft -> requested',
      'draft -> cancelled',
      'requested -> received',
      'requested -> accepted',
      'requested -> rejected',
      'requested -> cancelled',
      'received -> accepted',
      'received -> rejected',
      'received -> cancelled',
      'accepted -> ready',
      'accepted -> in-progress',
      'accepted -> cancelled',
      'ready -> in-progress',
      'ready -> cancelled',
      'ready -> failed',
      'ready -> completed',
      'in-progress -> on-hold',
      'in-progress -> completed',
      'in-progress -> failed',
      'in-progress -> cancelled',
      'on-hold -> in-progress',
      'on-hold -> cancelled',
      'on-hold -> failed',
      ...everyState.map((s) => `${s} -> entered-in-error`),
    ],
    [
      ['completed', 'in-progress'],
      ['cancelled', 'requested'],
      ['rejected', 'accepted'],
      ['failed', 'in-progress'],
      ['entered-in-error', 'requested'],
      ['draft', 'completed'],
    ],
  );
});
