import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PruneConfig } from '../../core/api/contract.js';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from './serve-and-chromium.js';
import { UI_WAIT } from './waits.js';
import { runInWorker, type SessionRun } from './page-session.js';

// The engine inside Chromium, as a worker of the app's page served by `pruneflow serve`: WebGL (drawn by
// SwiftShader here, a real WebGL 2 implementation on the CPU) against wasm, same seed, same tiny session.
const TINY: Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'> = {
  model: 'demo-cnn',
  data: 'builtin:fashion-mnist',
  trainEpochs: 1,
  fineTuneEpochs: 0,
  batchSize: 32,
  calibrationBatches: 1,
  sample: { train: 64, test: 20 },
  seed: 3,
};

describe('the engine in a worker of the page (WebGL, wasm)', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [serve, browser] = await startServeAndChromium({ gpu: 'software' });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${serve.url.href}&engine=page&backend=webgl`);
    expect(errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.interrupt();
  });

  it('shows the in-page engine and its GPU in the app', async () => {
    // The app's own engine panel, connected to the worker by ?engine=page.
    await expect.poll(() => page.getByText('SwiftShader', { exact: false }).count(), { timeout: UI_WAIT }).toBeGreaterThan(0);
    await expect.poll(() => page.getByText('(page)').count()).toBeGreaterThan(0);
  }, 90_000);

  it('passes software WebGL by when choosing automatically, and says why', async () => {
    const info = await page.evaluate(async () => {
      const { Worker } = globalThis as unknown as {
        Worker: new (
          url: string,
          options: { type: 'module' },
        ) => { onmessage: (e: { data: { type: string; reply: { value: unknown } } }) => void; postMessage(m: unknown): void; terminate(): void };
      };
      const worker = new Worker('engine/engine-worker.js?backend=auto', { type: 'module' });
      const reply = await new Promise<unknown>((resolve) => {
        worker.onmessage = ({ data }) => data.type === 'reply' && resolve(data.reply.value);
        worker.postMessage({ type: 'call', id: 1, call: { method: 'getInfo', args: [] } });
      });
      worker.terminate();
      return reply as { backend: { active: string; attempts: { id: string; reason?: string }[] }; files: boolean };
    });
    expect(info.backend.active).toBe('wasm');
    // No token and no desktop preload: this worker has no host to lend it files, and says so.
    expect(info.files).toBe(false);
    expect(info.backend.attempts.find((a) => a.id === 'webgl')?.reason).toMatch(/WebGL is drawn in software here \(.*SwiftShader.*\), slower than wasm/);
    expect(info.backend.attempts.find((a) => a.id === 'webgpu')?.reason).toMatch(/WebGPU/);
  }, 90_000);

  it('trains and prunes on WebGL like on wasm, and keeps its tensor count across sessions', async () => {
    const webgl = await runInWorker(page, 'webgl', TINY, 2);
    const wasm = await runInWorker(page, 'wasm', TINY, 1);
    expect([webgl.active, wasm.active]).toEqual(['webgl', 'wasm']);
    expect(webgl.details[0]).toMatch(/^webgl 2: .*SwiftShader/);
    // Two steps of 32 images. The first loss is the untrained model's forward pass: float32 on both, summed
    // in different orders, so only rounding differs (1e-4 relative). The second follows one Adam step,
    // which divides by sqrt(v) + eps and amplifies those differences a little: 1e-3.
    expect(webgl.losses).toHaveLength(2);
    expect(Math.abs(webgl.losses[0] - wasm.losses[0]) / wasm.losses[0]).toBeLessThan(1e-4);
    expect(Math.abs(webgl.losses[1] - wasm.losses[1]) / wasm.losses[1]).toBeLessThan(1e-3);
    // The same channels go: L1 norms agree to rounding, so at most a channel sitting on the global
    // threshold may flip (1 per layer); both meet the 50% FLOPs cut within 1%.
    const widths = (run: SessionRun) => run.result.pruned.layerWidths.map((l) => l.channels);
    widths(webgl).forEach((w, i) => expect(Math.abs(w - widths(wasm)[i])).toBeLessThanOrEqual(1));
    for (const run of [webgl, wasm]) expect(1 - run.result.pruned.flops / run.result.baseline.flops).toBeCloseTo(0.5, 1);
    // A second session frees everything the first one made.
    expect(webgl.tensorsAfter[1]).toBe(webgl.tensorsAfter[0]);
  }, 600_000);

  it('runs on WebGPU where this Chromium offers an adapter', async () => {
    const adapter = await page.evaluate(async () => {
      const gpu = (globalThis as unknown as { navigator: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator.gpu;
      return gpu ? Boolean(await gpu.requestAdapter()) : false;
    });
    if (!adapter) {
      console.log('WebGPU not tested: this headless Chromium offers no WebGPU adapter (no GPU on this machine).');
      return;
    }
    const run = await runInWorker(page, 'webgpu', TINY, 1);
    expect(run.active).toBe('webgpu');
    expect(run.result.pruned.flops).toBeLessThan(run.result.baseline.flops);
  }, 600_000);
});
