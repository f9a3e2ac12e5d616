import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineApi, EngineEvent, PruneResult } from '../../core/api/contract.js';
import type { RunTaskState } from '../../renderer/lib/run-task.svelte.js';
import { totalSecondsLeft } from '../../renderer/lib/time-left.js';
import { DEFAULT_PRUNE_CONFIG } from '../../core/api/run-options.js';
import { answerCalls } from '../../core/api/rpc.js';
import { checkedEngine } from '../../core/api/validate-call.js';
import { FakeEngine } from '../electron/fake-engine.js';
import { WebSocket, WebSocketServer } from 'ws';
import { answerCall } from '../../core/api/answer-call.js';
import { engineSockets } from '../../core/node/serve/engine-socket.js';
import { buildRunes } from './build-runes.js';

// The Run screen's state (runes, so compiled by Svelte as the app builds it) driven by the events an
// engine sends. The stand-in engine only starts a task and relays events: the state is what is tested.

let runes: Awaited<ReturnType<typeof buildRunes>> | undefined;
let RunTask: new (engine: EngineApi) => RunTaskState;
// The page's bridge and client use the DOM's types, so they are described here rather than imported.
interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error', listener: (event: never) => void): void;
}
let workerBridge: (backend: string, files: object, connect: { page: string; spawn: (address: URL) => WorkerLike }) => unknown;
let fromBridge: (bridge: unknown) => EngineApi;
let socketBridge: (url: string, token: string, open: (url: string, protocols: string[]) => unknown) => unknown;

beforeAll(async () => {
  runes = await buildRunes({
    'run-task': 'renderer/lib/run-task.svelte.ts',
    'worker-bridge': 'renderer/lib/worker-bridge.ts',
    'engine-client': 'renderer/lib/engine-client.ts',
    'socket-bridge': 'renderer/lib/socket-bridge.ts',
  });
  ({ RunTaskState: RunTask } = await runes.load<{ RunTaskState: typeof RunTask }>('run-task'));
  ({ workerBridge } = await runes.load<{ workerBridge: typeof workerBridge }>('worker-bridge'));
  ({ fromBridge } = await runes.load<{ fromBridge: typeof fromBridge }>('engine-client'));
  ({ socketBridge } = await runes.load<{ socketBridge: typeof socketBridge }>('socket-bridge'));
}, 120_000);

afterAll(async () => {
  await runes?.remove();
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
    emit({
      type: 'task-progress',
      taskId: 't1',
      progress: { stage: 'training', step: 1, total: 10, message: 'epoch 1', metrics: { imagesPerSecond: 90, loss: 1 } },
    });
    emit({ type: 'task-warning', taskId: 't1', message: 'Batch 64 did not fit in GPU memory; continuing with 32' });
    emit({ type: 'prune-step', taskId: 't1', step: { step: 1, steps: 1, cut: 0.5, metric: 'flops', layers: [{ name: 'conv1', kept: 8, total: 16 }] } });
    // Fine-tuning's speed is kept apart: it is the pruned model's (a trained file's run has no baseline training to learn from).
    emit({
      type: 'task-progress',
      taskId: 't1',
      progress: { stage: 'fine-tuning', step: 1, total: 10, message: 'epoch 1', metrics: { imagesPerSecond: 150, loss: 1 } },
    });
    emit({ type: 'task-done', taskId: 't1', result: { seconds: 3 } as PruneResult });
    expect([run.phase, run.stage, run.warnings.length, run.pruneStep?.cut, run.trainingSpeed, run.fineTuningSpeed]).toEqual([
      'done',
      'fine-tuning',
      1,
      0.5,
      90,
      150,
    ]);
    run.clear();
    expect({
      phase: run.phase,
      stage: run.stage,
      warnings: run.warnings,
      pruneStep: run.pruneStep,
      trainingSpeed: run.trainingSpeed,
      fineTuningSpeed: run.fineTuningSpeed,
      result: run.result,
    }).toEqual({
      phase: 'idle',
      stage: undefined,
      warnings: [],
      pruneStep: undefined,
      trainingSpeed: undefined,
      fineTuningSpeed: undefined,
      result: undefined,
    });
  });

  it('knows the demo’s settings, so the Run screen counts its whole time left and a demo kept in a project saves into it', async () => {
    const { engine, emit } = engineStandIn();
    const run = new RunTask(engine);
    await run.startDemo({ trainEpochs: 1, project: '/tmp/demo.pruneflow' });
    expect(run.config).toMatchObject({
      model: 'demo-cnn',
      schedule: 'one-shot',
      trainEpochs: 1,
      fineTuneEpochs: 2,
      target: { metric: 'flops', reduction: 0.5 },
    });
    expect(run.savesTo).toBe('/tmp/demo.pruneflow');
    // Half the training epoch left (50 s) and then 2 fine-tuning epochs of the half-FLOPs model: about 2 × 50 s more.
    const left = totalSecondsLeft(
      { ...DEFAULT_PRUNE_CONFIG, ...run.config },
      { stage: 'training', step: 50, total: 100, message: 'epoch 1/1, loss 1.000', metrics: { secondsLeft: 50 } },
    );
    expect(left).toBeGreaterThan(50 + 2 * 40);
    emit({ type: 'task-done', taskId: 't1', result: { seconds: 1 } as PruneResult });
  });

  it('keeps the held-out accuracy apart from the training points, at the step it was measured, and forgets it on clear', async () => {
    const { engine, emit } = engineStandIn();
    const run = new RunTask(engine);
    await run.startDemo({});
    const progress = (metrics: Record<string, number>) =>
      emit({ type: 'task-progress', taskId: 't1', progress: { stage: 'training', step: 1, total: 4, message: '', metrics } });
    progress({ epoch: 0, validationAccuracy: 0.1 });
    progress({ epoch: 1, loss: 2, accuracy: 0.2 });
    progress({ epoch: 1, loss: 1.5, accuracy: 0.3 });
    progress({ epoch: 1, validationAccuracy: 0.25 });
    expect(run.heldOut.map((p) => [p.x, p.accuracy])).toEqual([
      [0, 0.1],
      [2, 0.25],
    ]);
    expect(run.points.map((p) => p.accuracy)).toEqual([0.2, 0.3]);
    emit({ type: 'task-done', taskId: 't1', result: { seconds: 1 } as PruneResult });
    run.clear();
    expect(run.heldOut).toEqual([]);
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

/**
 * A Web Worker of the page, played by a real MessageChannel: the engine side answers calls as the page's
 * engine worker does (answerCalls), and `die` reports the worker's death as a browser does, with an 'error' event.
 */
function pageWorker(engine: EngineApi) {
  const channel = new MessageChannel();
  const answer = answerCalls(engine, (message) => channel.port2.postMessage(message));
  channel.port2.addEventListener('message', (event) => {
    const { id, call } = (event as unknown as { data: { id: number; call: unknown } }).data;
    answer(id, call);
  });
  channel.port2.start();
  const errors = new EventTarget();
  const worker: WorkerLike = {
    postMessage: (message) => channel.port1.postMessage(message),
    addEventListener: (type: 'message' | 'error', listener: (event: never) => void) => {
      if (type === 'message') {
        channel.port1.addEventListener('message', listener as (event: Event) => void);
        channel.port1.start();
      } else errors.addEventListener('error', listener as (event: Event) => void);
    },
  };
  const die = (message: string) => {
    channel.port1.close();
    errors.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message }));
  };
  return { worker, die };
}

describe('the engine in the page dies', () => {
  it('fails the running task, so the Run screen stops saying "running", and answers later calls with why', async () => {
    const fake = new FakeEngine();
    const { worker, die } = pageWorker(checkedEngine(fake));
    const engine = fromBridge(workerBridge('auto', {}, { page: 'http://localhost/', spawn: () => worker }));
    const run = new RunTask(engine);
    expect(await run.startDemo({ trainEpochs: 1 })).toBe(true);
    expect(run.phase).toBe('running');
    die('Out of memory');
    expect(run.phase).toBe('failed');
    expect(run.error).toEqual({ name: 'EngineWorkerError', message: 'The engine in this window stopped: Out of memory.' });
    await expect(engine.getInfo()).rejects.toMatchObject({ name: 'EngineWorkerError' });
    expect(fake.calls.map((c) => c.method)).toEqual(['startDemo']);
  });

  it('answers a call that was waiting when it died', async () => {
    const never = Object.assign(checkedEngine(new FakeEngine()), { getInfo: () => new Promise<never>(() => {}) });
    const { worker, die } = pageWorker(never);
    const engine = fromBridge(workerBridge('auto', {}, { page: 'http://localhost/', spawn: () => worker }));
    const info = engine.getInfo();
    await new Promise((resolve) => setTimeout(resolve, 20));
    die('');
    await expect(info).rejects.toThrow('The engine in this window stopped: its script failed to load.');
  });
});

describe("the page's ?forward= reaches its engine worker", () => {
  it('passes ?forward=tfjs on (forward passes stay on tfjs), and nothing without it', () => {
    const addresses: URL[] = [];
    const spawn = (address: URL) => {
      addresses.push(address);
      return { postMessage: () => {}, addEventListener: () => {} };
    };
    workerBridge('wasm', {}, { page: 'http://localhost/?engine=page&forward=tfjs', spawn });
    workerBridge('wasm', {}, { page: 'http://localhost/?engine=page', spawn });
    expect(addresses.map((a) => a.searchParams.get('forward'))).toEqual(['tfjs', null]);
    expect(addresses.map((a) => a.searchParams.get('backend'))).toEqual(['wasm', 'wasm']);
  });
});

describe('the connection to `pruneflow serve` drops', () => {
  it('fails the running task the same way, over a real WebSocket', async () => {
    const fake = new FakeEngine();
    const engineSide = checkedEngine(fake);
    const sockets = engineSockets({ answer: (call) => answerCall(engineSide, call), onEvent: (listener) => engineSide.onEvent(listener) });
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket) => sockets.accept(socket));
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const engine = fromBridge(socketBridge(`ws://127.0.0.1:${port}/engine`, 'secret', (url: string, protocols: string[]) => new WebSocket(url, protocols)));
    const run = new RunTask(engine);
    expect(await run.startDemo({})).toBe(true);
    expect(run.phase).toBe('running');
    const failed = new Promise<EngineEvent>((resolve) => engine.onEvent((event) => event.type === 'task-failed' && resolve(event)));
    sockets.closeAll();
    expect(await failed).toMatchObject({ taskId: 'task-1', error: { name: 'EngineDisconnectedError' } });
    expect(run.phase).toBe('failed');
    await expect(engine.getInfo()).rejects.toMatchObject({ name: 'EngineDisconnectedError' });
    await new Promise((resolve) => server.close(resolve));
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
