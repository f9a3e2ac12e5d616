import type { SessionState } from '../api/contract.js';

export type { SessionState };

/** The way forward from each state; any state that is not an end may also fail or be cancelled. */
const FORWARD: Readonly<Record<SessionState, readonly SessionState[]>> = {
  configured: ['baseline-evaluated'],
  'baseline-evaluated': ['importance-computed'],
  'importance-computed': ['pruning'],
  pruning: ['fine-tuning'],
  'fine-tuning': ['evaluated'],
  evaluated: ['done'],
  done: [],
  failed: [],
  cancelled: [],
};

/** The states a session passes on its way to `done`, in order. */
export const SESSION_STATES = Object.keys(FORWARD).filter((s) => s !== 'failed' && s !== 'cancelled') as SessionState[];

export const isFinalState = (state: SessionState) => FORWARD[state].length === 0;

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  constructor(
    readonly from: SessionState,
    readonly to: SessionState,
  ) {
    const next = isFinalState(from) ? 'nothing: it has ended' : [...FORWARD[from], 'failed', 'cancelled'].join(', ');
    super(`A session cannot go from '${from}' to '${to}'; from '${from}' it goes to ${next}`);
  }
}

export function canMove(from: SessionState, to: SessionState): boolean {
  if (isFinalState(from)) return false;
  return FORWARD[from].includes(to) || to === 'failed' || to === 'cancelled';
}

/**
 * One session's state. `to` checks the move and tells the listener; a run resumed from a checkpoint starts
 * the machine at the checkpoint's state (`new SessionMachine(state)`), never at an end.
 */
export class SessionMachine {
  #state: SessionState;

  constructor(
    start: SessionState = 'configured',
    private readonly onChange?: (state: SessionState, from: SessionState) => void,
  ) {
    if (isFinalState(start)) throw new IllegalTransitionError(start, start);
    this.#state = start;
  }

  get state(): SessionState {
    return this.#state;
  }

  to(next: SessionState): void {
    if (!canMove(this.#state, next)) throw new IllegalTransitionError(this.#state, next);
    const from = this.#state;
    this.#state = next;
    this.onChange?.(next, from);
  }

  /** Whether the session has passed `state` (or is in it). */
  reached(state: SessionState): boolean {
    return SESSION_STATES.indexOf(this.#state) >= SESSION_STATES.indexOf(state);
  }
}
