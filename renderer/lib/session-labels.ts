/** Plain words for a project's session fields, shared by the Project and Compare screens. */
import type { SessionSummary } from '../../core/api/contract.js';

/**
 * A session saved as running with no run of this window on it was interrupted (the app closed or
 * crashed mid-run); `live` when a run of this window may be the one writing it.
 */
export function statusLabel(status: string, live = false): string {
  if (status === 'running') return live ? 'running' : 'interrupted';
  return status;
}

/** "FLOPs −50%" / "params −30%". */
export function targetLabel(target: SessionSummary['target']): string {
  return `${target.metric === 'flops' ? 'FLOPs' : 'params'} −${Math.round(target.reduction * 100)}%`;
}

/** Statuses that `pruneflow resume` (or the engine's resumeSession) can finish. */
export const RESUMABLE = new Set(['interrupted', 'cancelled', 'stopped early', 'failed']);
