import { IllegalTransitionError } from '../errors.js';

/**
 * A lifecycle as a transition table: for each state, the states it may move to. A state with no way out is final.
 * Every status write in the hub is checked against its table first, then made as a conditional write on the
 * expected previous state, so a late or concurrent writer can never move a record along a path the table forbids.
 */
export interface Lifecycle<S extends string> {
  readonly name: string;
  readonly states: readonly S[];
  readonly transitions: Readonly<Record<S, readonly S[]>>;
  can(from: S, to: S): boolean;
  isFinal(state: S): boolean;
  /** Throws IllegalTransitionError (409 at the API) naming the current and requested states. */
  assert(from: S, to: S): void;
}

export function defineLifecycle<S extends string>(name: string, transitions: Record<S, readonly S[]>): Lifecycle<S> {
  const states = Object.keys(transitions) as S[];
  for (const [from, targets] of Object.entries(transitions) as [S, readonly S[]][]) {
    for (const to of targets) if (!(to in transitions)) throw new Error(`${name}: ${from} -> ${to} leads to no state`);
  }
  const can = (from: S, to: S) => transitions[from]?.includes(to) ?? false;
  return {
    name,
    states,
    transitions,
    can,
    isFinal: (state) => transitions[state].length === 0,
    assert(from, to) {
      if (!can(from, to)) throw new IllegalTransitionError(name, from, to, transitions[from] ?? []);
    },
  };
}
