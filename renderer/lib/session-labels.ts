/** Plain words for a project's session fields, shared by the Project and Compare screens. */
import type { ProjectSummary, SessionSummary } from '../../core/api/contract.js';

/**
 * A session saved as running with no run of this window on it was interrupted (the app closed or
 * crashed mid-run); `live` when a run of this window may be the one writing it.
 */
export function statusLabel(status: string, live = false): string {
  if (status === 'running') return live ? 'running' : 'interrupted';
  return status;
}

/** The project file a busy run of this window saves into, and the session it resumed there (a new one has no id yet). */
export interface RunWrites {
  path: string;
  session?: string;
}

/**
 * Which of a project's sessions a busy run of this window writes: the one it resumed, else the newest saved as
 * running (a new session is added last); none when the run writes another file. Every other session saved as
 * running was interrupted.
 */
export function liveSessionId(project: Pick<ProjectSummary, 'path' | 'sessions'>, writes: RunWrites | undefined): string | undefined {
  if (writes === undefined || writes.path !== project.path) return undefined;
  return writes.session ?? [...project.sessions].reverse().find((s) => s.status === 'running')?.id;
}

/** "FLOPs −50%" / "params −30%". */
export function targetLabel(target: SessionSummary['target']): string {
  return `${target.metric === 'flops' ? 'FLOPs' : 'params'} −${Math.round(target.reduction * 100)}%`;
}

/** Statuses that `pruneflow resume` (or the engine's resumeSession) can finish. */
export const RESUMABLE = new Set(['interrupted', 'cancelled', 'stopped early', 'failed']);
