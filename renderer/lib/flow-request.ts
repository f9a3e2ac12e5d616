import type { PruneResult, SessionFlowRequest } from '../../core/api/contract.js';

/** Two requests for the same session's flow. */
export function sameRequest(a: SessionFlowRequest, b: SessionFlowRequest): boolean {
  if ('task' in a || 'task' in b) return 'task' in a && 'task' in b && a.task === b.task;
  return a.project === b.project && a.session === b.session;
}

/**
 * Which session's flow a result on the Results screen has: a session reviewed from the open project, the
 * project session a run saved into, or the run itself when it saved into none (the engine keeps the last).
 */
export function flowRequestFor(
  result: PruneResult,
  { reviewed, projectPath, taskId }: { reviewed?: string; projectPath?: string; taskId?: string },
): SessionFlowRequest | undefined {
  if (reviewed && projectPath) return { project: projectPath, session: reviewed };
  if (result.project) return { project: result.project.path, session: result.project.session };
  return taskId ? { task: taskId } : undefined;
}
