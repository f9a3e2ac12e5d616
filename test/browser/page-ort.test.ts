import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe } from '../core/node/serve/serve-process.js';
import { smallOnnx } from '../interop/onnx-fixtures.js';
import { serveFolder } from '../renderer/serve-folder.js';
import { callInWorker, runInWorker } from './page-session.js';
import { launchChromium } from './chromium.js';
import type { ForwardReply } from './forward-harness.js';
import { buildForwardHarness, type ForwardHarness, SECURITY_HEADERS, serveForwardHarness } from './forward-harness-page.js';
import { ISOLATION_HEADERS } from '../../electron/app-protocol.js';

// ONNX Runtime Web (wasm) in real Chromium, built as the engine worker is, against tfjs.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPORT = /^ONNX Runtime Web 1\.31\.1 \(wasm, 1 thread\) for evaluation, activations, sensitivity and latency of models with depthwise/;
/** The threads the engine takes in a page: half the cores, at most 4, where cross-origin isolated, else 1 (webOrtThreads). */
const pageThreads = (page: Page): Promise<number> =>
  page.evaluate('crossOriginIsolated ? Math.max(1, Math.min(4, Math.ceil(navigator.hardwareConcurrency / 2))) : 1') as Promise<number>;
const threadsLabel = (threads: number) => `wasm, ${threads} thread${threads === 1 ? '' : 's'}`;
let folder: string;
let browser: Browser;
let harness: ForwardHarness;

beforeAll(async () => {
  [folder, browser] = await Promise.all([buildForwardHarness(ROOT), launchChromium()]);
  harness = await serveForwardHarness(folder, browser);
});

afterAll(async () => {
  await harness?.close();
  await browser?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function ok<K extends 'compare' | 'pad-maxpool' | 'declines'>(reply: ForwardReply, kind: K): Extract<ForwardReply, { ok: true; kind: K }> {
  if (!reply.ok) throw new Error(`the harness failed: ${reply.error}`);
  expect(reply.kind).toBe(kind);
  return reply as Extract<ForwardReply, { ok: true; kind: K }>;
}

describe('ONNX Runtime Web in the page', () => {
  it.each(['resnet20', 'small-vgg', 'mobilenetv2'])('%s: outputs and every feature-map probe equal tfjs (wasm) within 1e-4', async (model) => {
    const reply = ok(
      await harness.call({ kind: 'compare', model, backend: 'wasm', seed: 3, probes: true, batches: [], timeBudgetMs: 0, ort: true }),
      'compare',
    );
    expect(reply.backend).toBe('wasm');
    expect(reply.report).toMatch(REPORT);
    // Served without COOP and COEP: not cross-origin isolated, so one thread whatever the engine asks.
    expect(reply.isolated).toBe(false);
    expect(reply.ortThreads).toBe(1);
    // The model's output and its probes (one per prunable feature map).
    expect(reply.outputs).toBeGreaterThan(5);
    expect(reply.relDiffs).toHaveLength(reply.outputs);
    for (const diff of reply.relDiffs) expect(diff).toBeLessThan(1e-4);
  });

  it('a zero Pad before a MaxPool: wrong at the basic level in the web build too, right with the guard the engine applies', async () => {
    const reply = ok(await harness.call({ kind: 'pad-maxpool', onnx: smallOnnx('grouped-net').bytes, seed: 4 }), 'pad-maxpool');
    expect(reply.basicDiff).toBeGreaterThan(1e-2);
    expect(reply.guard).toBe('disabled');
    expect(reply.guardedDiff).toBeLessThan(1e-4);
    expect(reply.engineDiff).toBeLessThan(1e-4);
  });

  it("takes the wasm backend's jobs on MobileNetV2; declines plain convolution networks and other backends", async () => {
    expect(ok(await harness.call({ kind: 'declines', backend: 'wasm' }), 'declines').reason).toBeUndefined();
    expect(ok(await harness.call({ kind: 'declines', backend: 'wasm', model: 'mobilenetv2' }), 'declines').reason).toBeUndefined();
    expect(ok(await harness.call({ kind: 'declines', backend: 'wasm', model: 'resnet20' }), 'declines').reason).toMatch(/no depthwise convolutions/);
    expect(ok(await harness.call({ kind: 'declines', backend: 'cpu', model: 'mobilenetv2' }), 'declines').reason).toMatch(/not measured against tfjs cpu/);
  });

  it("works under pruneflow serve's headers (CSP, no eval; cross-origin isolated): ONNX import and export, ONNX Runtime Web on threads", async () => {
    const served = await serveForwardHarness(folder, browser, SECURITY_HEADERS);
    try {
      expect(await served.page.evaluate('crossOriginIsolated')).toBe(true);
      const threads = await pageThreads(served.page);
      const reply = ok(
        await served.call({ kind: 'compare', model: 'mobilenetv2', backend: 'wasm', seed: 5, probes: true, batches: [], timeBudgetMs: 0, ort: true }),
        'compare',
      );
      expect(reply.isolated).toBe(true);
      expect(reply.report).toContain(`ONNX Runtime Web 1.31.1 (${threadsLabel(threads)})`);
      // ONNX Runtime kept the threads it was given (it falls back to 1 where its threaded wasm cannot start; 2 threads: below).
      expect(reply.ortThreads).toBe(threads);
      // tfjs's wasm backend stays on its one-thread build (bundled-tfjs-wasm.ts): its threaded one is not shipped.
      expect(reply.tfjsThreads).toBe(false);
      expect(reply.outputs).toBeGreaterThan(5);
      for (const diff of reply.relDiffs) expect(diff).toBeLessThan(1e-4);
      // An imported ONNX file (protobuf read in the worker), too.
      const imported = ok(await served.call({ kind: 'pad-maxpool', onnx: smallOnnx('grouped-net').bytes, seed: 4 }), 'pad-maxpool');
      expect(imported.engineDiff).toBeLessThan(1e-4);
    } finally {
      await served.close();
    }
  });

  it.each(['mobilenetv2', 'resnet20'])(
    '%s on 2 threads (pthread workers of ort/, under worker-src self): outputs and every probe equal tfjs within 1e-4',
    async (model) => {
      const served = await serveForwardHarness(folder, browser, SECURITY_HEADERS);
      const workers: string[] = [];
      served.page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
      try {
        const reply = ok(
          await served.call({ kind: 'compare', model, backend: 'wasm', seed: 6, probes: true, batches: [4], timeBudgetMs: 0, ort: true, threads: 2 }),
          'compare',
        );
        expect(reply.report).toContain(`ONNX Runtime Web 1.31.1 (${threadsLabel(2)})`);
        expect(reply.ortThreads).toBe(2);
        // Its second thread is a worker of ONNX Runtime's glue, beside the harness's own worker (CDP lists both).
        expect(workers).toEqual(['/forward-harness.js', '/ort/ort-wasm-simd-threaded.mjs']);
        expect(reply.outputs).toBeGreaterThan(5);
        for (const diff of reply.relDiffs) expect(diff).toBeLessThan(1e-4);
      } finally {
        await served.close();
      }
    },
  );
});

describe("the page engine's backend report names its forward engine", () => {
  let engine: { url: string; close: () => Promise<void> };
  let page: Page;
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    // The built app's engine worker (npm run build), served as the desktop app serves it (electron/app-protocol.ts:
    // COOP and COEP, no CSP header on the worker).
    engine = await serveFolder(join(ROOT, 'dist/renderer'), ISOLATION_HEADERS);
    page = await browser.newPage();
    // An empty page of the same origin, to start the worker from (the app's own page would start its engine).
    await page.route(`${engine.url}blank.html`, (route) =>
      route.fulfill({ contentType: 'text/html', headers: { ...ISOLATION_HEADERS }, body: '<!doctype html><title>blank</title>' }),
    );
    await page.goto(`${engine.url}blank.html`);
  });

  afterAll(async () => {
    await engine?.close();
    await serve?.interrupt();
  });

  const details = async (target: Page, query: string) => {
    const reply = await callInWorker(target, query, 'getInfo');
    if (!reply.ok) throw new Error(`getInfo failed: ${reply.error?.message}`);
    return (reply.value as { backend: { details: string[] } }).backend.details.join('\n');
  };

  it("ONNX Runtime Web on wasm with the engine's threads in the cross-origin isolated page; tfjs wasm on one thread; tfjs with ?forward=tfjs", async () => {
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    const info = await details(page, 'backend=wasm');
    expect(info).toContain(`forward passes: ONNX Runtime Web 1.31.1 (${threadsLabel(await pageThreads(page))})`);
    expect(info).toMatch(/wasm: SIMD on, threads off/);
    expect(await details(page, 'backend=wasm&forward=tfjs')).toMatch(/forward passes: tfjs \(onnxruntime-web turned off: \?forward=tfjs\)/);
  });

  it('a pruning run of MobileNetV2 evaluates on ONNX Runtime Web, with the accuracies of tfjs (?forward=tfjs)', async () => {
    // 1,000 test images: the engine's minimum for converting (WEB_ORT_MIN_IMAGES); no training, to keep it short.
    const config = {
      model: 'mobilenetv2',
      data: 'builtin:fashion-mnist',
      trainEpochs: 0,
      fineTuneEpochs: 0,
      batchSize: 32,
      calibrationBatches: 1,
      sample: { train: 64, test: 1000 },
      seed: 3,
    };
    const ort = await runInWorker(page, 'wasm', config, 1);
    const tfjs = await runInWorker(page, 'wasm&forward=tfjs', config, 1);
    expect(ort.result.forwardPasses).toEqual(expect.arrayContaining([expect.stringMatching(/^evaluation: onnxruntime-web/)]));
    expect(tfjs.result.forwardPasses?.join('\n')).not.toMatch(/onnxruntime-web(?! turned off)/);
    expect(tfjs.result.forwardPasses).toEqual(
      expect.arrayContaining([expect.stringMatching(/^evaluation: tfjs \(onnxruntime-web turned off: \?forward=tfjs\)/)]),
    );
    // Outputs equal within 1e-4 (above): the same images classified the same, at most one of 1,000 on a near tie.
    expect(Math.abs(ort.result.baseline.accuracy - tfjs.result.baseline.accuracy)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(ort.result.pruned.accuracy - tfjs.result.pruned.accuracy)).toBeLessThanOrEqual(0.001);
  }, 900_000);

  it("the same in pruneflow serve's page, under its CSP", async () => {
    serve = await startServe();
    const served = await browser.newPage();
    await served.goto(serve.url.href);
    expect(await served.evaluate('crossOriginIsolated')).toBe(true);
    expect(await details(served, 'backend=wasm')).toContain(`forward passes: ONNX Runtime Web 1.31.1 (${threadsLabel(await pageThreads(served))})`);
    await served.close();
  });
});
