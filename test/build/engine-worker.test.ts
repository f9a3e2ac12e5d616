import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../core/api/contract.js';
import type { EngineRelay } from '../../core/node/engine-thread/worker-relay.js';
import { buildNodeIfStale, ROOT } from './run.js';

// The desktop engine host without Electron: the compiled engine-worker.js in a real worker thread,
// driven through the compiled relay exactly as the main process drives it.
let relay: EngineRelay;
const events: EngineEvent[] = [];

beforeAll(async () => {
  await buildNodeIfStale('dist/electron/engine-worker.js');
  const { createWorkerRelay } = (await import(
    `${ROOT}dist/core/node/engine-thread/worker-relay.js`
  )) as typeof import('../../core/node/engine-thread/worker-relay.js');
  relay = createWorkerRelay(() => new Worker(new URL('dist/electron/engine-worker.js', `file://${ROOT}`)));
  relay.onEvent((event) => events.push(event));
}, 120_000);

afterAll(() => relay?.dispose());

const until = async (predicate: () => boolean, ms = 60_000) => {
  for (const started = Date.now(); !predicate(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > ms) throw new Error('timed out waiting for an engine event');
  }
};

describe('engine worker (compiled)', () => {
  it('reports the engine and the backend it chose', async () => {
    const reply = await relay.call({ method: 'getInfo', args: [] });
    expect(reply).toMatchObject({ ok: true, value: { name: 'Pruneflow', host: 'electron' } });
    if (!reply.ok) return;
    const { backend } = reply.value as { backend: { active: string; attempts: { id: string; reason?: string }[] } };
    expect(['node-gpu', 'webgpu', 'webgl', 'node', 'wasm', 'cpu']).toContain(backend.active);
    // Every better backend that was not taken says why.
    expect(backend.attempts.at(-1)).toEqual({ id: backend.active });
    for (const attempt of backend.attempts.slice(0, -1)) expect(attempt.reason).toBeTruthy();
  });

  it('refuses a malformed call inside the worker too', async () => {
    const reply = await relay.call({ method: 'startDemo', args: [{ seed: 'one' }] } as never);
    expect(reply).toMatchObject({ ok: false, error: { name: 'InvalidCallError' } });
  });

  it('starts the demo on the built-in assets, reports progress and cancels', async () => {
    const reply = await relay.call({ method: 'startDemo', args: [{ trainEpochs: 1, fineTuneEpochs: 0 }] });
    expect(reply).toMatchObject({ ok: true, value: { taskId: expect.any(String) } });
    if (!reply.ok) return;
    const { taskId } = reply.value as { taskId: string };
    // Training steps prove the sample data set was read from dist/core/assets/.
    await until(() => events.some((e) => e.type === 'task-progress' && e.progress.stage === 'training' && e.progress.step > 0));
    expect(await relay.call({ method: 'cancelTask', args: [taskId] })).toEqual({ ok: true, value: undefined });
    // Progress and state changes come before the end; the end is the cancel and nothing else.
    const ends = () => events.filter((e) => e.type !== 'task-progress' && e.type !== 'task-state');
    await until(() => ends().length > 0);
    expect(ends()).toEqual([{ type: 'task-cancelled', taskId }]);
    expect(events.filter((e) => e.type === 'task-state').at(-1)).toEqual({ type: 'task-state', taskId, state: 'cancelled' });
  });
});
