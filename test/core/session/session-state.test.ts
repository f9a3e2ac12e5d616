import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../../core/api/contract.js';
import { canMove, IllegalTransitionError, SESSION_STATES, SessionMachine } from '../../../core/session/session-state.js';
import { isUnfinished, recordStatus, shownStatus } from '../../../core/session/session-status.js';

const ALL: SessionState[] = [...SESSION_STATES, 'failed', 'cancelled'];

describe('the session state machine', () => {
  it('walks configured to done in order, telling the listener each move', () => {
    const seen: [SessionState, SessionState][] = [];
    const machine = new SessionMachine('configured', (to, from) => seen.push([from, to]));
    for (const state of SESSION_STATES.slice(1)) machine.to(state);
    expect(machine.state).toBe('done');
    expect(seen.map(([, to]) => to)).toEqual(['baseline-evaluated', 'importance-computed', 'pruning', 'fine-tuning', 'evaluated', 'done']);
    expect(seen.every(([from, to]) => SESSION_STATES.indexOf(to) === SESSION_STATES.indexOf(from) + 1)).toBe(true);
  });

  it('allows exactly the next state, failed and cancelled from every state before an end', () => {
    const table = Object.fromEntries(ALL.map((from) => [from, ALL.filter((to) => canMove(from, to))]));
    expect(table).toEqual({
      configured: ['baseline-evaluated', 'failed', 'cancelled'],
      'baseline-evaluated': ['importance-computed', 'failed', 'cancelled'],
      'importance-computed': ['pruning', 'failed', 'cancelled'],
      pruning: ['fine-tuning', 'failed', 'cancelled'],
      'fine-tuning': ['evaluated', 'failed', 'cancelled'],
      evaluated: ['done', 'failed', 'cancelled'],
      done: [],
      failed: [],
      cancelled: [],
    });
  });

  it('throws IllegalTransitionError on a skipped, backward or repeated move, and after an end', () => {
    const machine = new SessionMachine();
    expect(() => machine.to('pruning')).toThrow(IllegalTransitionError);
    expect(() => machine.to('configured')).toThrow(
      /cannot go from 'configured' to 'configured'; from 'configured' it goes to baseline-evaluated, failed, cancelled/,
    );
    expect(machine.state).toBe('configured');
    machine.to('baseline-evaluated');
    expect(() => machine.to('configured')).toThrow(IllegalTransitionError);
    machine.to('cancelled');
    expect(() => machine.to('failed')).toThrow(/from 'cancelled' it goes to nothing: it has ended/);
    expect(() => new SessionMachine('done')).toThrow(IllegalTransitionError);
  });

  it('starts a resumed run at its checkpoint state and knows what it has reached', () => {
    const machine = new SessionMachine('fine-tuning');
    expect(machine.reached('pruning')).toBe(true);
    expect(machine.reached('evaluated')).toBe(false);
    machine.to('evaluated');
    expect(machine.reached('evaluated')).toBe(true);
  });

  it('shows a session saved as running with no live task as interrupted', () => {
    expect(shownStatus({ status: 'running' })).toBe('interrupted');
    expect(shownStatus({ status: 'running' }, true)).toBe('running');
    expect(shownStatus({ status: 'done' })).toBe('done');
    expect((['running', 'cancelled', 'failed', 'configured'] as const).map((status) => isUnfinished({ status }))).toEqual([true, true, true, true]);
    expect(isUnfinished({ status: 'done' })).toBe(false);
  });

  it("shows a sweep's session stopped by its early-stop rule as stopped early, and it stays resumable", () => {
    const stopped = { status: 'cancelled' as const, sweep: { id: 's1', outcome: 'stopped-early' } };
    expect(shownStatus(stopped)).toBe('stopped early');
    expect(recordStatus(stopped)).toBe('stopped early');
    expect(isUnfinished(stopped)).toBe(true);
    expect(recordStatus({ status: 'cancelled', sweep: { id: 's1', outcome: 'done' } })).toBe('cancelled');
    expect(recordStatus({ status: 'done', sweep: { id: 's1', outcome: 'done' } })).toBe('done');
  });
});
