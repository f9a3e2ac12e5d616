import { describe, expect, it } from 'vitest';
import type { PruneResult } from '../../../core/api/contract.js';
import { unsavedWork } from '../../../renderer/lib/unsaved-work.js';

const result = (project?: { path: string; session: string }) => ({ ...(project && { project }) }) as PruneResult;

describe('what closing would stop or lose', () => {
  it('a run saving into a project: running or paused, resumable', () => {
    expect(unsavedWork({ busy: true, phase: 'running', kind: 'pruning', savesTo: '/p.pruneflow', result: undefined })).toBe('running-session');
    expect(unsavedWork({ busy: true, phase: 'pausing', kind: 'pruning', savesTo: '/p.pruneflow', result: undefined })).toBe('paused-session');
    expect(unsavedWork({ busy: true, phase: 'paused', kind: 'pruning', savesTo: '/p.pruneflow', result: undefined })).toBe('paused-session');
  });

  it('a run saving nowhere (the demo too) is lost when stopped', () => {
    expect(unsavedWork({ busy: true, phase: 'running', kind: 'demo', savesTo: undefined, result: undefined })).toBe('running-task');
    expect(unsavedWork({ busy: true, phase: 'starting', kind: 'pruning', savesTo: undefined, result: undefined })).toBe('running-task');
  });

  it("a finished session's result counts only when it is in no project; a demo's never", () => {
    expect(unsavedWork({ busy: false, phase: 'done', kind: 'pruning', savesTo: undefined, result: result() })).toBe('unsaved-result');
    expect(
      unsavedWork({ busy: false, phase: 'done', kind: 'pruning', savesTo: '/p.pruneflow', result: result({ path: '/p.pruneflow', session: 's1' }) }),
    ).toBeUndefined();
    expect(unsavedWork({ busy: false, phase: 'done', kind: 'demo', savesTo: undefined, result: result() })).toBeUndefined();
    expect(unsavedWork({ busy: false, phase: 'cancelled', kind: 'pruning', savesTo: undefined, result: undefined })).toBeUndefined();
    expect(unsavedWork({ busy: false, phase: 'idle', kind: 'pruning', savesTo: undefined, result: undefined })).toBeUndefined();
  });
});
