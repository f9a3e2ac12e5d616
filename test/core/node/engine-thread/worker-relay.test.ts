import { EventEmitter } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineCall } from '../../../../core/api/bridge.js';
import type { EngineEvent } from '../../../../core/api/contract.js';
import { createWorkerRelay, type EngineCrashedError, type WorkerLike } from '../../../../core/node/engine-thread/worker-relay.js';
import { serveEngine } from '../../../../core/node/engine-thread/worker-server.js';
import { checkedEngine } from '../../../../core/api/validate-call.js';
import { FakeEngine, NamedError } from '../../../electron/fake-engine.js';

/** A worker stand-in: the engine side is served over a real MessageChannel, like in a worker thread. */
class ChannelWorker extends EventEmitter implements WorkerLike {
  readonly channel = new MessageChannel();
  terminated = false;

  constructor(readonly engine: FakeEngine) {
    super();
    // The real engine checks every call at its entry (createEngine wraps itself in checkedEngine).
    serveEngine(checkedEngine(engine), this.channel.port2);
    this.channel.port1.on('message', (message) => this.emit('message', message));
  }

  postMessage(message: unknown): void {
    this.channel.port1.postMessage(message);
  }

  async terminate(): Promise<number> {
    this.terminated = true;
    this.close();
    this.emit('exit', 1);
    return 1;
  }

  close(): void {
    this.channel.port1.close();
    this.channel.port2.close();
  }
}

const workers: ChannelWorker[] = [];
const spawn =
  (engine = new FakeEngine()) =>
  () => {
    const worker = new ChannelWorker(engine);
    workers.push(worker);
    return worker;
  };
afterEach(() => {
  for (const worker of workers.splice(0)) worker.close();
});

const nextEvent = (relay: ReturnType<typeof createWorkerRelay>) =>
  new Promise<EngineEvent>((resolve) => {
    const stop = relay.onEvent((event) => {
      stop();
      resolve(event);
    });
  });

describe('worker relay and engine server', () => {
  it('starts the worker on first use and relays a call and its reply', async () => {
    const relay = createWorkerRelay(spawn());
    expect(workers).toHaveLength(0);
    const reply = await relay.call({ method: 'getInfo', args: [] });
    expect(reply).toMatchObject({ ok: true, value: { name: 'Pruneflow', host: 'test' } });
    expect(workers).toHaveLength(1);
  });

  it('keeps the error name across the port', async () => {
    const engine = new FakeEngine();
    engine.failStartWith = new NamedError('No compute backend could be started.');
    const relay = createWorkerRelay(spawn(engine));
    expect(await relay.call({ method: 'startDemo', args: [{}] })).toEqual({
      ok: false,
      error: { name: 'BackendUnavailableError', message: 'No compute backend could be started.' },
    });
  });

  it('checks calls again on the engine side', async () => {
    const engine = new FakeEngine();
    const relay = createWorkerRelay(spawn(engine));
    const forged = { method: 'cancelTask', args: [] } as never;
    const reply = await relay.call(forged);
    expect(reply).toMatchObject({ ok: false, error: { name: 'InvalidCallError' } });
    expect(engine.calls).toEqual([]);
  });

  it('forwards engine events', async () => {
    const engine = new FakeEngine();
    const relay = createWorkerRelay(spawn(engine));
    await relay.call({ method: 'startDemo', args: [{}] });
    const event: EngineEvent = { type: 'task-progress', taskId: 'task-1', progress: { stage: 'training', step: 1, total: 9, message: 'epoch 1/1' } };
    const received = nextEvent(relay);
    engine.emit(event);
    expect(await received).toEqual(event);
  });

  it('fails pending calls and running tasks when the worker dies, then starts a fresh one', async () => {
    const relay = createWorkerRelay(spawn());
    await relay.call({ method: 'startDemo', args: [{}] });
    const failure = nextEvent(relay);
    workers[0]!.emit('error', new Error('out of memory'));
    workers[0]!.emit('exit', 1);
    expect(await failure).toEqual({
      type: 'task-failed',
      taskId: 'task-1',
      error: {
        name: 'EngineCrashedError',
        message: 'The engine stopped with an error: out of memory. Running work was stopped; the next action starts a fresh engine.',
      },
    });
    expect(await relay.call({ method: 'getInfo', args: [] })).toMatchObject({ ok: true });
    expect(workers).toHaveLength(2);
  });

  it('answers a call in flight when the worker exits', async () => {
    const engine = new FakeEngine();
    engine.getInfo = () => new Promise(() => {});
    const relay = createWorkerRelay(spawn(engine));
    const pending = relay.call({ method: 'getInfo', args: [] });
    await new Promise((resolve) => setTimeout(resolve, 10));
    workers[0]!.emit('exit', 134);
    expect(await pending).toEqual({
      ok: false,
      error: {
        name: 'EngineCrashedError',
        message: 'The engine stopped unexpectedly (exit code 134). Running work was stopped; the next action starts a fresh engine.',
      },
    });
  });

  it.each([
    ['startPruning', { method: 'startPruning', args: [{ model: 'demo-cnn', data: 'builtin:fashion-mnist' }] }],
    ['startSensitivity', { method: 'startSensitivity', args: [{ model: 'demo-cnn', data: 'builtin:fashion-mnist' }] }],
    ['resumeSession', { method: 'resumeSession', args: ['/tmp/p.pruneflow'] }],
  ] as [string, EngineCall][])('fails a task started by %s that dies before its first event', async (_method, call) => {
    const relay = createWorkerRelay(spawn());
    expect(await relay.call(call)).toEqual({ ok: true, value: { taskId: 'task-1' } });
    const failure = nextEvent(relay);
    workers[0]!.emit('exit', 1);
    expect(await failure).toMatchObject({ type: 'task-failed', taskId: 'task-1', error: { name: 'EngineCrashedError' } });
  });

  it("fails a fresh worker's task when that worker dies too, though it reuses the dead one's task id", async () => {
    // Each worker is a fresh engine, numbering its tasks from task-1, as a real restart does.
    const relay = createWorkerRelay(() => spawn(new FakeEngine())());
    await relay.call({ method: 'startDemo', args: [{}] });
    const first = nextEvent(relay);
    workers[0]!.emit('exit', 1);
    expect(await first).toMatchObject({ type: 'task-failed', taskId: 'task-1' });
    expect(await relay.call({ method: 'startDemo', args: [{}] })).toEqual({ ok: true, value: { taskId: 'task-1' } });
    const engine = workers[1]!.engine;
    const progress = nextEvent(relay);
    engine.emit({ type: 'task-progress', taskId: 'task-1', progress: { stage: 'training', step: 1, total: 9, message: 'epoch 1/1' } });
    await progress;
    const second = nextEvent(relay);
    workers[1]!.emit('exit', 1);
    expect(await second).toMatchObject({ type: 'task-failed', taskId: 'task-1', error: { name: 'EngineCrashedError' } });
  });

  it('does not report a finished task as crashed', async () => {
    const engine = new FakeEngine();
    const relay = createWorkerRelay(spawn(engine));
    await relay.call({ method: 'startDemo', args: [{}] });
    const done = nextEvent(relay);
    engine.emit({ type: 'task-cancelled', taskId: 'task-1' });
    await done;
    const seen: EngineEvent[] = [];
    relay.onEvent((event) => seen.push(event));
    workers[0]!.emit('exit', 1);
    expect(seen).toEqual([]);
  });

  it('still fails a paused task when the worker dies', async () => {
    const engine = new FakeEngine();
    const relay = createWorkerRelay(spawn(engine));
    await relay.call({ method: 'startDemo', args: [{}] });
    const paused = nextEvent(relay);
    engine.emit({ type: 'task-paused', taskId: 'task-1' });
    await paused;
    const failure = nextEvent(relay);
    workers[0]!.emit('exit', 1);
    expect(await failure).toMatchObject({ type: 'task-failed', taskId: 'task-1', error: { name: 'EngineCrashedError' } });
  });

  it('still fails a task that reported a state change when the worker dies', async () => {
    const engine = new FakeEngine();
    const relay = createWorkerRelay(spawn(engine));
    await relay.call({ method: 'startDemo', args: [{}] });
    const state = nextEvent(relay);
    engine.emit({ type: 'task-state', taskId: 'task-1', state: 'pruning' });
    await state;
    const failure = nextEvent(relay);
    workers[0]!.emit('exit', 1);
    expect(await failure).toMatchObject({ type: 'task-failed', taskId: 'task-1', error: { name: 'EngineCrashedError' } });
  });

  it.each([
    [
      'a pruning step',
      { type: 'prune-step', taskId: 'task-1', step: { step: 1, steps: 1, cut: 0.5, metric: 'flops', layers: [{ name: 'conv', kept: 4, total: 8 }] } },
    ],
    ['a warning', { type: 'task-warning', taskId: 'task-1', message: 'Batch 64 did not fit in GPU memory; continuing with 32' }],
  ] as [string, EngineEvent][])('still fails a task that reported %s when the worker dies', async (_moment, moment) => {
    const engine = new FakeEngine();
    const relay = createWorkerRelay(spawn(engine));
    await relay.call({ method: 'startDemo', args: [{}] });
    const step = nextEvent(relay);
    engine.emit(moment);
    await step;
    const failure = nextEvent(relay);
    workers[0]!.emit('exit', 1);
    expect(await failure).toMatchObject({ type: 'task-failed', taskId: 'task-1', error: { name: 'EngineCrashedError' } });
  });

  it('terminates the worker on dispose and refuses later calls', async () => {
    const relay = createWorkerRelay(spawn());
    await relay.call({ method: 'getInfo', args: [] });
    await relay.dispose();
    expect(workers[0]!.terminated).toBe(true);
    expect(await relay.call({ method: 'getInfo', args: [] })).toMatchObject({ ok: false, error: { name: 'EngineStoppedError' } });
    expect(workers).toHaveLength(1);
  });

  it('tells crash listeners once per death, not on dispose', async () => {
    const relay = createWorkerRelay(spawn());
    const crashes: EngineCrashedError[] = [];
    relay.onCrash((error) => crashes.push(error));
    await relay.call({ method: 'getInfo', args: [] });
    workers[0]!.emit('error', new Error('boom'));
    workers[0]!.emit('exit', 1);
    expect(crashes.map((error) => [error.name, error.message.split('.')[0]])).toEqual([['EngineCrashedError', 'The engine stopped with an error: boom']]);
    await relay.call({ method: 'getInfo', args: [] });
    await relay.dispose();
    expect(crashes).toHaveLength(1);
  });
});

// A real worker thread that dies the way an engine can (process.exit in native code, an abort):
// it answers getInfo, and exits with code 7 on any other call.
const DYING_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, call }) => {
  if (call.method !== 'getInfo') process.exit(7);
  parentPort.postMessage({ type: 'reply', id, reply: { ok: true, value: { name: 'Pruneflow' } } });
});
`;

describe('worker relay with a real worker thread that exits', () => {
  it('fails the call in flight with EngineCrashedError and serves the next call from a fresh worker', async () => {
    const started: Worker[] = [];
    const relay = createWorkerRelay(() => {
      const worker = new Worker(DYING_WORKER, { eval: true });
      started.push(worker);
      return worker;
    });
    const crashes: string[] = [];
    relay.onCrash((error) => crashes.push(error.message));
    try {
      expect(await relay.call({ method: 'getInfo', args: [] })).toEqual({ ok: true, value: { name: 'Pruneflow' } });
      const reply = await relay.call({ method: 'cancelTask', args: ['task-1'] });
      expect(reply).toEqual({
        ok: false,
        error: {
          name: 'EngineCrashedError',
          message: 'The engine stopped unexpectedly (exit code 7). Running work was stopped; the next action starts a fresh engine.',
        },
      });
      expect(crashes).toHaveLength(1);
      expect(await relay.call({ method: 'getInfo', args: [] })).toEqual({ ok: true, value: { name: 'Pruneflow' } });
      expect(started).toHaveLength(2);
    } finally {
      await relay.dispose();
    }
  });
});
