import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../core/api/contract.js';
import { createCaller } from '../../../core/api/rpc.js';
import type { SweepSummary } from '../../../core/api/sweep.js';

// The call layer's bookkeeping for sweeps: a started sweep runs (by its id) until its 'sweep-done' event, and
// a transport that dies fails it with a task-failed event, as it fails a pruning run.
describe('a sweep through the call layer', () => {
  it('counts a started sweep as running until sweep-done, and fails it when the other side dies', async () => {
    let next = 'sweep-aa';
    const caller = createCaller((id) => queueMicrotask(() => caller.reply(id, { ok: true, value: { sweepId: next } })));
    const events: EngineEvent[] = [];
    caller.bridge.onEvent((event) => events.push(event));

    expect(await caller.bridge.startSweep({ project: '/p.pruneflow', axes: {} })).toEqual({ ok: true, value: { sweepId: 'sweep-aa' } });
    expect(caller.running()).toEqual(['sweep-aa']);
    const summary: SweepSummary = { sweepId: 'sweep-aa', project: '/p.pruneflow', executor: 'local', jobs: [], written: 0, duplicates: 0, seconds: 1 };
    caller.event({
      type: 'sweep',
      taskId: 'sweep-aa',
      sweep: { type: 'sweep-job', sweepId: 'sweep-aa', job: { sessionId: 'sw-1', name: 'a', status: 'running' } },
    });
    expect(caller.running()).toEqual(['sweep-aa']);
    caller.event({ type: 'sweep', taskId: 'sweep-aa', sweep: { type: 'sweep-done', sweepId: 'sweep-aa', summary } });
    expect(caller.running()).toEqual([]);

    next = 'sweep-bb';
    await caller.bridge.startSweep({ project: '/p.pruneflow', axes: {} });
    caller.lose({ name: 'EngineCrashedError', message: 'the engine stopped' }, true);
    expect(events.at(-1)).toEqual({ type: 'task-failed', taskId: 'sweep-bb', error: { name: 'EngineCrashedError', message: 'the engine stopped' } });
    expect(events.filter((e) => e.type === 'task-failed')).toHaveLength(1);
  });
});
