import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineApi, EngineEvent, PruneResult } from '../../core/api/contract.js';
import type { RunTaskState } from '../../renderer/lib/run-task.svelte.js';

// The Run screen's state (runes, so compiled by Svelte as the app builds it) driven by the events an
// engine sends. The stand-in engine only starts a task and relays events: the state is what is tested.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let folder: string;
let RunTask: new (engine: EngineApi) => RunTaskState;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'pruneflow-run-task-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    plugins: [svelte({ configFile: false })],
    build: {
      outDir: folder,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      lib: { entry: join(ROOT, 'renderer/lib/run-task.svelte.ts'), formats: ['es'], fileName: 'run-task' },
    },
  });
  ({ RunTaskState: RunTask } = (await import(pathToFileURL(join(folder, 'run-task.js')).href)) as { RunTaskState: typeof RunTask });
}, 120_000);

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

function engineStandIn() {
  let listener: (event: EngineEvent) => void = () => {};
  const engine = {
    onEvent: (l: (event: EngineEvent) => void) => ((listener = l), () => {}),
    startDemo: async () => ({ taskId: 't1' }),
    resumeSession: async () => ({ taskId: 't2' }),
  } as unknown as EngineApi;
  return { engine, emit: (event: EngineEvent) => listener(event) };
}

describe('RunTaskState', () => {
  it('File > New (clear) forgets everything a finished run left: warnings, stage, kept channels, training speed', async () => {
    const { engine, emit } = engineStandIn();
    const run = new RunTask(engine);
    expect(await run.startDemo({})).toBe(true);
    emit({ type: 'task-progress', taskId: 't1', progress: { stage: 'training', step: 1, total: 10, message: 'epoch 1', metrics: { imagesPerSecond: 90, loss: 1 } } });
    emit({ type: 'task-warning', taskId: 't1', message: 'Batch 64 did not fit in GPU memory; continuing with 32' });
    emit({ type: 'prune-step', taskId: 't1', step: { step: 1, steps: 1, cut: 0.5, metric: 'flops', layers: [{ name: 'conv1', kept: 8, total: 16 }] } });
    emit({ type: 'task-done', taskId: 't1', result: { seconds: 3 } as PruneResult });
    expect([run.phase, run.stage, run.warnings.length, run.pruneStep?.cut, run.trainingSpeed]).toEqual(['done', 'training', 1, 0.5, 90]);
    run.clear();
    expect({ phase: run.phase, stage: run.stage, warnings: run.warnings, pruneStep: run.pruneStep, trainingSpeed: run.trainingSpeed, result: run.result }).toEqual({
      phase: 'idle',
      stage: undefined,
      warnings: [],
      pruneStep: undefined,
      trainingSpeed: undefined,
      result: undefined,
    });
  });

  it('starts nothing while a run is busy, and says so (Resume then stays on the Project screen)', async () => {
    const { engine } = engineStandIn();
    const run = new RunTask(engine);
    expect(await run.startDemo({})).toBe(true);
    expect(run.busy).toBe(true);
    expect(await run.resumeSession('/p.pruneflow', 's1')).toBe(false);
    expect(run.kind).toBe('demo');
    expect(run.savesTo).toBeUndefined();
  });
});

describe('the run clock', () => {
  it('stands still while paused and stops at the end', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const at = (seconds: number) => vi.setSystemTime(new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)));
      const { engine, emit } = engineStandIn();
      const run = new RunTask(engine);
      at(0);
      await run.startDemo({});
      at(10);
      emit({ type: 'task-paused', taskId: 't1' });
      at(40);
      // 10 s of work, then 30 s paused: still 10 s.
      expect(run.activeSeconds(Date.now())).toBe(10);
      emit({ type: 'task-resumed', taskId: 't1' });
      at(45);
      emit({ type: 'task-done', taskId: 't1', result: { seconds: 15 } as PruneResult });
      at(100);
      expect(run.activeSeconds(Date.now())).toBe(15);
    } finally {
      vi.useRealTimers();
    }
  });
});
