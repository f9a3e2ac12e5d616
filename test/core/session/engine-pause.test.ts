import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { createEngine } from '../../../core/session/engine.js';
import { BUILTIN_DATA } from '../../../core/session/run-inputs.js';

/** The engine's events as a queue a test can wait on. */
function recorder(engine: ReturnType<typeof createEngine>) {
  const events: EngineEvent[] = [];
  const waiting: { match: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  engine.onEvent((event) => {
    events.push(event);
    for (const w of waiting.splice(0)) w.match(event) ? w.resolve(event) : waiting.push(w);
  });
  const next = (match: (e: EngineEvent) => boolean) => new Promise<EngineEvent>((resolve) => waiting.push({ match, resolve }));
  return { events, next };
}

const trainingStep = (e: EngineEvent) => (e.type === 'task-progress' && e.progress.stage === 'training' ? e.progress.step : undefined);

describe('pausing a task', () => {
  it('holds training between steps until resumed; a cancel while paused ends the task', async () => {
    const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset });
    const { events, next } = recorder(engine);
    const { taskId } = await engine.startPruning({ model: 'demo-cnn', data: BUILTIN_DATA, trainEpochs: 1, fineTuneEpochs: 0, batchSize: 16 });
    await next((e) => (trainingStep(e) ?? 0) >= 2);

    // Each wait is registered before its call: the engine may send the event before the call's reply.
    let paused = next((e) => e.type === 'task-paused');
    await engine.pauseTask(taskId);
    await paused;
    const heldAt = events.length;
    const stepWhenPaused = Math.max(...events.map((e) => trainingStep(e) ?? 0));
    // Long enough for several steps had the loop gone on.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(events.slice(heldAt)).toEqual([]);

    const resumed = next((e) => e.type === 'task-resumed' || e.type === 'task-progress');
    const after = next((e) => trainingStep(e) !== undefined);
    await engine.resumeTask(taskId);
    expect(await resumed).toEqual({ type: 'task-resumed', taskId });
    // Training goes on from the very next step: none was lost or repeated.
    expect(trainingStep(await after)).toBe(stepWhenPaused + 1);

    paused = next((e) => e.type === 'task-paused');
    await engine.pauseTask(taskId);
    await paused;
    const cancelledAt = events.length;
    const cancelled = next((e) => e.type === 'task-cancelled');
    await engine.cancelTask(taskId);
    await cancelled;
    expect(events.slice(cancelledAt)).toEqual([
      { type: 'task-state', taskId, state: 'cancelled' },
      { type: 'task-cancelled', taskId },
    ]);
    // Calls for a finished task are ignored, as cancelTask's are.
    await engine.pauseTask(taskId);
    await engine.resumeTask(taskId);
  });
});
