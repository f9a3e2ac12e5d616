import type { UnsavedWork } from '../../core/api/desktop-shell.js';
import type { RunTaskState } from './run-task.svelte.js';

/**
 * What closing the window would stop or lose, for the close prompt (desktop) and the leave warning
 * (browser). Projects save themselves session by session; a task and a result saved nowhere do not.
 * A demo's result is a check, not work: it is not held against closing.
 */
export function unsavedWork(run: Pick<RunTaskState, 'busy' | 'phase' | 'kind' | 'savesTo' | 'result'>): UnsavedWork | undefined {
  if (run.busy) {
    if (!run.savesTo) return 'running-task';
    return run.phase === 'paused' || run.phase === 'pausing' ? 'paused-session' : 'running-session';
  }
  if (run.phase === 'done' && run.kind === 'pruning' && run.result && !run.result.project) return 'unsaved-result';
  return undefined;
}
