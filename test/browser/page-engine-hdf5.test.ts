import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS_PARAMETER } from '../../core/api/worker-protocol.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { setInputLimits } from '../../core/data/input-limits.js';
import { setHdf5Reader } from '../../core/models/io/hdf5-reader.js';
import { hdf5WorkerUrl, nodeHdf5Reader } from '../../core/node/hdf5-thread.js';
import { nodeRunHost } from '../../core/node/node-engine.js';
import { createEngine } from '../../core/session/engine.js';
import { applyMutations } from '../bench/fuzz/mutate.js';
import { REGRESSIONS } from '../bench/fuzz/regressions.js';
import { buildNodeIfStale, ROOT } from '../build/run.js';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from './serve-and-chromium.js';

// The engine in a worker of the served page reads HDF5 (.h5, the weights of .keras) in a Web Worker of its own,
// stopped at the deadline (inputLimits.maxParseSeconds, here passed by the page): a file that hangs the HDF5
// library gives the same named error as on the Node hosts, and meanwhile the engine and the page go on answering.
const DEADLINE_SECONDS = 3;

describe('HDF5 in the page engine: a deadline in a worker of its own', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const home = mkdtempSync(join(tmpdir(), 'pruneflow-page-hdf5-'));
  const good = join(home, 'keras2_sequential.h5');
  const hanging = join(home, 'damaged model.h5');

  beforeAll(async () => {
    copyFileSync(join(ROOT, 'test/fixtures/models/keras2_sequential.h5'), good);
    // keras2_sequential.h5 with 12 bytes inserted: h5wasm 0.10.3 never returns from reading its model_config (found by the fuzzer).
    const { mutant } = REGRESSIONS.find((r) => r.target === 'keras-h5' && r.expect === 'ModelFileTooComplexError')!;
    writeFileSync(hanging, applyMutations(new Uint8Array(readFileSync(good)), mutant.mutations));
    [serve, browser] = await startServeAndChromium({}, buildNodeIfStale(hdf5WorkerUrl()));
    page = await browser.newPage();
    await page.goto(serve.url.href);
  }, 300_000);

  afterAll(async () => {
    setInputLimits({});
    setHdf5Reader();
    await browser?.close();
    await serve?.interrupt();
  });

  it('stops a file that hangs the HDF5 library with a named error, answering other calls meanwhile, and reads the next file', async () => {
    const query = `backend=wasm&token=${serve.token}&${LIMITS_PARAMETER}=${encodeURIComponent(JSON.stringify({ maxParseSeconds: DEADLINE_SECONDS }))}`;
    const run = await page.evaluate(
      async ({ query, hanging, good }) => {
        // This code runs in the page: the DOM's Worker, typed here without the DOM library.
        type Reply = { ok: boolean; value?: unknown; error?: { name: string; message: string } };
        type PageWorker = {
          onmessage: (event: { data: { type: string; id: number; reply: Reply } }) => void;
          postMessage(message: unknown): void;
          terminate(): void;
        };
        const { Worker } = globalThis as unknown as { Worker: new (url: string, options: { type: 'module' }) => PageWorker };
        const worker = new Worker(`engine/engine-worker.js?${query}`, { type: 'module' });
        const replies = new Map<number, (reply: Reply) => void>();
        worker.onmessage = ({ data }) => data.type === 'reply' && replies.get(data.id)?.(data.reply);
        let id = 0;
        const call = (method: string, ...args: unknown[]) =>
          new Promise<{ reply: Reply; at: number }>((resolve) => {
            replies.set(++id, (reply) => resolve({ reply, at: performance.now() }));
            worker.postMessage({ type: 'call', id, call: { method, args } });
          });
        // The page's own timer keeps firing while the engine waits on the HDF5 worker.
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 100);
        await call('getInfo'); // the engine has started
        const started = performance.now();
        const stopped = call('inspectModel', hanging);
        await new Promise((resolve) => setTimeout(resolve, 500));
        const meanwhile = await call('getInfo');
        const { reply: refused, at: refusedAt } = await stopped;
        const tickedWhileStopped = ticks;
        clearInterval(ticker);
        const next = await call('inspectModel', good);
        worker.terminate();
        return {
          refused,
          seconds: (refusedAt - started) / 1000,
          meanwhile: { ok: meanwhile.reply.ok, before: meanwhile.at < refusedAt },
          ticks: tickedWhileStopped,
          next: next.reply,
        };
      },
      { query, hanging, good },
    );
    // A named error, naming the file and the setting that raises the deadline.
    expect(run.refused).toMatchObject({ ok: false, error: { name: 'ModelFileTooComplexError' } });
    expect(run.refused.error!.message).toMatch(
      new RegExp(`^damaged model\\.h5: reading its HDF5 content took longer than ${DEADLINE_SECONDS} s and was stopped; .*"maxParseSeconds"`),
    );
    expect(run.seconds).toBeGreaterThanOrEqual(DEADLINE_SECONDS);
    // The engine's own thread was free: a call made during the read was answered before the read was stopped.
    expect(run.meanwhile).toEqual({ ok: true, before: true });
    // And the page's: its timer fired through the wait (10 a second; a quarter of that on a loaded machine).
    expect(run.ticks).toBeGreaterThan(run.seconds * 2.5);
    // The stopped worker was replaced: the undamaged file reads, with the shape Keras saved (6x6x2 in, 4 classes out).
    expect(run.next.error).toBeUndefined();
    expect(run.next).toMatchObject({ ok: true, value: { input: { height: 6, width: 6, channels: 2, classes: 4 } } });

    // The same error, word for word, as the Node hosts give for the same file and setting (their worker thread).
    setInputLimits({ maxParseSeconds: DEADLINE_SECONDS });
    setHdf5Reader(nodeHdf5Reader());
    const node = createEngine({ host: 'cli', candidates: [wasmCandidate], ...nodeRunHost('user'), trainingReplicas: undefined });
    const thrown = (await node.inspectModel(hanging).catch((error: unknown) => error)) as Error;
    expect({ name: thrown.name, message: thrown.message }).toEqual(run.refused.error);
  }, 240_000);
});
