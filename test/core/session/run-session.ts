import type { EngineApi, EngineEvent, PruneConfig, PruneResult } from '../../../core/api/contract.js';

/**
 * Starts a pruning run on `engine` and waits for its end, as the UI does: its task id, its result (a failed run
 * rejects with the engine's error name and message) and every event it sent, in order.
 */
export async function runSession(
  engine: EngineApi,
  config: Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>,
): Promise<{ taskId: string; result: PruneResult; events: EngineEvent[] }> {
  const seen: EngineEvent[] = [];
  let taskId: string | undefined;
  let settle: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => (settle = resolve));
  const isEnd = (event: EngineEvent) => event.taskId === taskId && (event.type === 'task-done' || event.type === 'task-failed');
  const stop = engine.onEvent((event) => {
    seen.push(event);
    if (isEnd(event)) settle?.();
  });
  try {
    ({ taskId } = await engine.startPruning(config));
    // The end may have come before the start's reply.
    if (seen.some(isEnd)) settle?.();
    await ended;
  } finally {
    stop();
  }
  const events = seen.filter((event) => event.taskId === taskId);
  const end = events.find(isEnd)!;
  if (end.type === 'task-failed') throw new Error(`${end.error.name}: ${end.error.message}`);
  if (end.type !== 'task-done') throw new Error(`unexpected end event ${end.type}`);
  return { taskId: taskId!, result: end.result as PruneResult, events };
}
