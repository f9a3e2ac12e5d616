import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi, EngineEvent } from '../../core/api/contract.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { nodeRunHost } from '../../core/node/node-engine.js';
import { loadProjectFile } from '../../core/node/project-file.js';
import { createEngine } from '../../core/session/engine.js';
import type { SweepState } from '../../renderer/lib/sweep-state.svelte.js';
import { buildRunes } from './build-runes.js';

// The Sweep screen's state (runes, compiled as the app builds them) on a real engine in this process: a
// 2-job sweep of the demo CNN on the bundled sample runs in the engine's worker threads (the built dist/)
// and writes two sessions into a real project file.
let built: Awaited<ReturnType<typeof buildRunes>>;
let State: new (engine: EngineApi, options?: { onfinished?: (project: string) => void }) => SweepState;
let engine: EngineApi;
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-sweep-ui-'));
const file = join(dir, 'sweep.pruneflow');

async function until(check: () => boolean, what: string, ms = 120_000): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  built = await buildRunes({ sweep: 'renderer/lib/sweep-state.svelte.ts' });
  ({ SweepState: State } = await built.load<{ SweepState: typeof State }>('sweep'));
  engine = createEngine({ host: 'test', candidates: [wasmCandidate], ...nodeRunHost(), trainingReplicas: undefined });
  // The project: one quick session makes its baseline (no training: the sweep's numbers are not the point).
  const events: EngineEvent[] = [];
  const stop = engine.onEvent((event) => events.push(event));
  const { taskId } = await engine.startPruning({
    model: 'demo-cnn',
    data: 'builtin:fashion-mnist',
    project: file,
    trainEpochs: 0,
    fineTuneEpochs: 0,
    sample: { train: 100, test: 50 },
    calibrationBatches: 1,
  });
  await until(() => events.some((e) => e.taskId === taskId && (e.type === 'task-done' || e.type === 'task-failed')), 'the baseline session');
  stop();
  const failed = events.find((e) => e.type === 'task-failed');
  if (failed?.type === 'task-failed') throw new Error(failed.error.message);
}, 180_000);

afterAll(() => built?.remove());

describe('SweepState on a real engine', () => {
  it('counts the ticked axes, plans, runs a 2-job sweep with every job reported and refreshes the project when done', async () => {
    const finished: string[] = [];
    const sweep = new State(engine, { onfinished: (project) => finished.push(project) });
    sweep.toggle('criteria', 'random', true);
    sweep.toggle('fineTuneEpochs', 0, true);
    sweep.toggle('fineTuneEpochs', 1, false);
    expect(sweep.criteria).toEqual(['l1', 'random']);
    expect(sweep.count).toBe(2);
    sweep.toggle('seeds', 2, true);
    expect(sweep.count).toBe(4);
    sweep.toggle('seeds', 2, false);

    // The estimate needs the data set's size and the baseline's FLOPs: the project's own.
    const summary = await engine.openProject(file);
    await sweep.readImages(summary);
    expect(sweep.images).toEqual({ train: expect.any(Number), test: expect.any(Number) });
    const one = sweep.estimateSeconds(summary)!;
    expect(one).toBeGreaterThan(0);
    sweep.toggle('seeds', 2, true);
    expect(sweep.estimateSeconds(summary)).toBeCloseTo(2 * one, 6);
    sweep.toggle('seeds', 2, false);

    const seen = new Set<string>();
    const stop = engine.onEvent((event) => {
      if (event.type === 'sweep' && event.sweep.type === 'sweep-job') seen.add(`${event.sweep.job.sessionId}:${event.sweep.job.status}`);
    });
    // A Redis queue, when given, wins over worker threads; empty, the threads here run the jobs.
    sweep.workers = 1;
    sweep.queue = ' redis://127.0.0.1:6379 ';
    expect(sweep.runOptions).toEqual({ queue: 'redis://127.0.0.1:6379' });
    sweep.queue = '';
    expect(sweep.runOptions).toEqual({ workers: 1 });
    expect(await sweep.start(file)).toBe(true);
    // Planned jobs show at once (queued, or already running: events may come before the call's reply).
    expect(sweep.jobs.map((j) => j.name)).toEqual([expect.stringMatching(/^l1 50% FLOPs/), expect.stringMatching(/^random 50% FLOPs/)]);
    await until(() => sweep.phase === 'done' || sweep.phase === 'failed', 'the sweep');
    stop();
    expect(sweep.error).toBeUndefined();
    expect(sweep.phase).toBe('done');
    expect(sweep.jobs.map((j) => j.status)).toEqual(['done', 'done']);
    for (const job of sweep.jobs) {
      expect(seen.has(`${job.sessionId}:running`)).toBe(true);
      expect(job.worker).toBeTruthy();
      expect(job.accuracy).toBeGreaterThanOrEqual(0);
    }
    expect(finished).toEqual([file]);
    const project = await loadProjectFile(file);
    const ids = project.sessions.map((s) => s.record.id);
    for (const job of sweep.jobs) expect(ids).toContain(job.sessionId);

    // The same sweep again: its sessions are in the project already, planned as such and not run again.
    const plan = await engine.planSweep(sweep.spec(file));
    expect(plan.jobs.map((j) => j.existing)).toEqual([true, true]);
    sweep.dispose();
  }, 300_000);

  it('Cancel stops the running job and the queued ones: the sweep ends with them cancelled', async () => {
    const sweep = new State(engine);
    sweep.toggle('criteria', 'random', true);
    sweep.toggle('seeds', 2, true);
    sweep.toggle('seeds', 3, true);
    sweep.toggle('seeds', 1, false);
    sweep.quickTrial = false; // the whole sample set: the first job runs long enough to be cancelled
    sweep.workers = 1;
    expect(sweep.count).toBe(4);
    expect(await sweep.start(file)).toBe(true);
    await until(() => sweep.jobs.some((j) => j.status === 'running'), 'a running job');
    await sweep.cancel();
    expect(sweep.phase).toBe('cancelling');
    await until(() => sweep.phase === 'done' || sweep.phase === 'failed', 'the cancelled sweep');
    expect(sweep.error).toBeUndefined();
    const statuses = sweep.jobs.map((j) => j.status);
    expect(statuses).toHaveLength(4);
    expect(statuses.filter((s) => s === 'cancelled').length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((s) => s === 'cancelled' || s === 'done')).toBe(true);
    sweep.dispose();
  }, 300_000);

  it('puts the schedules axis and the early-stop margin into the spec, the count and the estimate', async () => {
    const sweep = new State(engine);
    sweep.toggle('schedules', 'iterative', true);
    expect(sweep.schedules).toEqual(['one-shot', 'iterative']);
    expect(sweep.count).toBe(2);
    const summary = await engine.openProject(file);
    await sweep.readImages(summary);
    const both = sweep.estimateSeconds(summary)!;
    sweep.toggle('schedules', 'iterative', false);
    const oneShot = sweep.estimateSeconds(summary)!;
    // Iterative trains between its steps: it takes longer than one shot.
    expect(both - oneShot).toBeGreaterThan(oneShot);
    sweep.toggle('schedules', 'continuous', true);
    expect(sweep.spec(file).axes.schedules).toEqual(['one-shot', 'continuous']);
    expect(sweep.spec(file)).not.toHaveProperty('earlyStop');
    sweep.earlyStop = true;
    sweep.marginPoints = 2.5;
    expect(sweep.spec(file).earlyStop).toEqual({ margin: 0.025 });
    // Out of range or empty (a cleared field): the margin stays.
    sweep.marginPoints = 120;
    sweep.marginPoints = null;
    expect(sweep.marginPoints).toBe(2.5);
    // The engine's own checks take it: the plan has both schedules.
    const plan = await engine.planSweep(sweep.spec(file));
    expect(plan.jobs.map((j) => j.name)).toEqual([expect.stringMatching(/one-shot/), expect.stringMatching(/continuous/)]);
    sweep.perGpu = true;
    expect(sweep.runOptions).toEqual({ workers: 'gpu' });
    sweep.dispose();
  });

  it('a second screen (a reloaded page, another window) finds the running sweep, follows its jobs and cancels it', async () => {
    const first = new State(engine);
    first.toggle('seeds', 2, true);
    first.toggle('seeds', 3, true);
    first.toggle('schedules', 'iterative', true);
    first.toggle('schedules', 'one-shot', false);
    first.earlyStop = true;
    first.marginPoints = 4;
    first.quickTrial = false; // long jobs: still running when the second screen looks
    first.workers = 1;
    expect(await first.start(file)).toBe(true);
    await until(() => first.jobs.some((j) => j.status === 'running'), 'a running job');
    first.dispose(); // the page goes away; the sweep goes on in the engine

    const second = new State(engine);
    expect(await second.reattach()).toBe(true);
    expect(second.phase).toBe('running');
    expect(second.sweepId).toBe(first.sweepId);
    expect(second.project).toBe(file);
    expect(second.jobs.map((j) => j.sessionId)).toEqual(first.jobs.map((j) => j.sessionId));
    expect(second.jobs.some((j) => j.status === 'running' && j.worker === 'thread 1')).toBe(true);
    // Its settings come back with it.
    expect([second.seeds, second.schedules, second.quickTrial, second.earlyStop, second.marginPoints, second.workers]).toEqual([
      [1, 2, 3],
      ['iterative'],
      false,
      true,
      4,
      1,
    ]);
    // A third look while it runs finds nothing new to adopt: one screen, one sweep.
    expect(await second.reattach()).toBe(false);
    await second.cancel();
    expect(second.phase).toBe('cancelling');
    await until(() => second.phase === 'done' || second.phase === 'failed', 'the cancelled sweep');
    expect(second.error).toBeUndefined();
    expect(second.jobs.map((j) => j.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // Over: nothing runs to reattach to.
    expect(await engine.runningSweeps()).toEqual([]);
    expect(await new State(engine).reattach()).toBe(false);
    second.dispose();
  }, 300_000);

  it('refuses a sweep on a host without files, saying where sweeps run', async () => {
    const pageEngine = createEngine({ host: 'page', candidates: [wasmCandidate], readAsset: nodeRunHost().readAsset });
    const sweep = new State(pageEngine);
    expect(await sweep.start('/nowhere.pruneflow')).toBe(false);
    expect(sweep.phase).toBe('failed');
    expect(sweep.error?.name).toBe('HostCapabilityError');
    expect(sweep.error?.message).toMatch(/desktop app or `pruneflow serve`/);
    // Nothing to reattach to there, and no error for asking.
    expect(await new State(pageEngine).reattach()).toBe(false);
  });
});
