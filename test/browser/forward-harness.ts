/**
 * A module worker built like the engine worker (build-forward-harness.ts): tfjs (wasm or WebGL) and ONNX Runtime
 * Web side by side on the same zoo model in real Chromium, for test/browser/page-ort.test.ts (equality) and
 * `npm run bench:browser-forward` (speed). One message in, one reply out: a ForwardCall, a ForwardReply.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import * as ort from 'onnxruntime-web/wasm';
import { type ForwardRunner, tfjsRunner } from '../../core/backend/forward-runner.js';
import { ortOptimisation } from '../../core/backend/ort-forward.js';
import { useBundledTfjsWasm } from '../../core/browser/bundled-tfjs-wasm.js';
import { webOnnxRuntimeEngine, webOrtDeclines } from '../../core/browser/web-ort-runner.js';
import { memoryTree } from '../../core/data/file-tree.js';
import { buildChannelGraph } from '../../core/graph/channel-graph.js';
import { planFeatureMaps } from '../../core/importance/feature-maps.js';
import { importModel } from '../../core/models/io/import-model.js';
import { exportOnnx } from '../../core/models/io/onnx/onnx-export.js';
import { zooEntry } from '../../core/models/zoo.js';
import { randomiseBatchNorm } from '../core/prune/random-batch-norm.js';

/** Compare (and time) tfjs and ONNX Runtime Web on a zoo model, or run an ONNX file's Pad->MaxPool check. */
export type ForwardCall =
  | {
      kind: 'compare';
      model: string;
      backend: string;
      seed: number;
      probes: boolean;
      batches: number[];
      timeBudgetMs: number;
      warmups?: number;
      ort: boolean;
      /** ONNX Runtime's threads; by default the engine's (webOrtThreads). */
      threads?: number;
      /** false: time ONNX Runtime only (tfjsMs NaN), when another call timed tfjs. */
      timeTfjs?: boolean;
    }
  | { kind: 'pad-maxpool'; onnx: Uint8Array; seed: number }
  | { kind: 'declines'; backend: string; model?: string };

export interface Timing {
  batch: number;
  /** Median milliseconds of a forward pass (outputs read back) after warm-ups; `runs` timed. NaN: not timed. */
  tfjsMs: number;
  ortMs?: number;
  runs: number;
}

export type ForwardReply =
  | {
      ok: true;
      kind: 'compare';
      report: string;
      backend: string;
      outputs: number;
      relDiffs: number[];
      conversionMs: number;
      timings: Timing[];
      /** The worker's crossOriginIsolated; ONNX Runtime's threads once it ran (its env.wasm.numThreads); tfjs wasm's threads flag. */
      isolated: boolean;
      ortThreads: number;
      tfjsThreads: boolean;
    }
  | { ok: true; kind: 'pad-maxpool'; basicDiff: number; guardedDiff: number; guard: string; engineDiff: number }
  | { ok: true; kind: 'declines'; report: string; reason?: string }
  | { ok: false; error: string };

interface Scope {
  location: { href: string };
  crossOriginIsolated?: boolean;
  postMessage(message: ForwardReply): void;
  addEventListener(type: 'message', listener: (event: { data: ForwardCall }) => void): void;
}

const scope = globalThis as unknown as Scope;
const baseUrl = new URL('./', scope.location.href).href;
useBundledTfjsWasm(baseUrl);
const harnessEngine = (threads?: number) => webOnnxRuntimeEngine({ baseUrl, load: async () => ort, declines: () => undefined, threads });
const engine = harnessEngine();

scope.addEventListener('message', ({ data }) => {
  (data.kind === 'compare' ? compare(data) : data.kind === 'pad-maxpool' ? padMaxPool(data) : declines(data.backend, data.model)).then(
    (reply) => scope.postMessage(reply),
    (error: unknown) => scope.postMessage({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
});

const maxAbs = (values: Float32Array, floor = 0) => values.reduce((m, v) => Math.max(m, Math.abs(v)), floor);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function compare(call: Extract<ForwardCall, { kind: 'compare' }>): Promise<ForwardReply> {
  await tf.setBackend(call.backend);
  await tf.ready();
  // One call per worker: ONNX Runtime takes its threads once, when its wasm starts.
  const forward = harnessEngine(call.threads);
  const report = await forward.load();
  const model = zooEntry(call.model).build({ inputShape: [32, 32, 3], numClasses: 10 });
  try {
    // Random batch norm statistics and scales, so folding and the moving statistics matter.
    randomiseBatchNorm(model, call.seed);
    const probes = call.probes ? planFeatureMaps(model, buildChannelGraph(model)).tensors : [];
    const tfjs = tfjsRunner(model, probes);
    const start = performance.now();
    const onnx = call.ort ? await forward.open(model, probes) : undefined;
    const conversionMs = performance.now() - start;
    try {
      // Equality on 4 images with negative values too: outputs and every probe, relative to max|tfjs| (at least 1).
      const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', call.seed + 100);
      const theirs = await tfjs.run(x);
      const mine = onnx ? await onnx.run(x) : [];
      const relDiffs: number[] = [];
      for (let i = 0; i < mine.length; i++) {
        const expected = (await theirs[i].data()) as Float32Array;
        const same = mine[i].shape.join() === theirs[i].shape.join();
        relDiffs.push(same ? maxAbsDiff((await mine[i].data()) as Float32Array, expected) / maxAbs(expected, 1) : Infinity);
      }
      tf.dispose([x, ...theirs, ...mine]);
      const timings: Timing[] = [];
      for (const batch of call.batches) {
        const tfjsTime = call.timeTfjs === false ? { ms: Number.NaN, runs: Infinity } : await median(tfjs, batch, call.timeBudgetMs, call.warmups);
        const ortTime = onnx ? await median(onnx, batch, call.timeBudgetMs, call.warmups) : undefined;
        timings.push({ batch, tfjsMs: tfjsTime.ms, ortMs: ortTime?.ms, runs: Math.min(tfjsTime.runs, ortTime?.runs ?? Infinity) });
      }
      return {
        ok: true,
        kind: 'compare',
        report,
        backend: tf.getBackend(),
        outputs: theirs.length,
        relDiffs,
        conversionMs,
        timings,
        isolated: scope.crossOriginIsolated === true,
        ortThreads: ort.env.wasm.numThreads ?? 0,
        tfjsThreads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
      };
    } finally {
      await onnx?.dispose();
    }
  } finally {
    model.dispose();
  }
}

/** Median ms of a forward pass of `batch` images, outputs read back: warm-ups, then up to 40 (batch 1) or 12 runs, at least 3, within the budget. */
async function median(runner: ForwardRunner, batch: number, budgetMs: number, warmups = 3): Promise<{ ms: number; runs: number }> {
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 5);
  const step = async () => {
    const t = performance.now();
    const outputs = await runner.run(x);
    await Promise.all(outputs.map((o) => o.data()));
    tf.dispose(outputs);
    return performance.now() - t;
  };
  try {
    for (let i = 0; i < warmups; i++) await step();
    const times: number[] = [];
    const start = performance.now();
    while (times.length < 3 || (times.length < (batch === 1 ? 40 : 12) && performance.now() - start < budgetMs)) times.push(await step());
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)], runs: times.length };
  } finally {
    x.dispose();
  }
}

/** The ONNX Runtime PadFusion bug in the web build: an imported graph with a zero Pad before a MaxPool, at 'basic' and guarded. */
async function padMaxPool(call: Extract<ForwardCall, { kind: 'pad-maxpool' }>): Promise<ForwardReply> {
  await tf.setBackend('wasm');
  await tf.ready();
  await engine.load();
  const { model } = await importModel(memoryTree('f', new Map([['m.onnx', call.onnx]])));
  const x = tf.randomNormal([2, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', call.seed);
  try {
    const expected = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
    const bytes = await exportOnnx(model, { channelsLast: true });
    const input = (await x.data()) as Float32Array;
    const run = async (graphOptimizationLevel: 'basic' | 'disabled' | 'all') => {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel });
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, x.shape) });
      await session.release();
      return out[session.outputNames[0]].data as Float32Array;
    };
    const runner = await engine.open(model, []);
    const [out] = await runner.run(x);
    const engineDiff = maxAbsDiff((await out.data()) as Float32Array, expected);
    out.dispose();
    await runner.dispose();
    const guard = ortOptimisation(bytes);
    return {
      ok: true,
      kind: 'pad-maxpool',
      basicDiff: maxAbsDiff(await run('basic'), expected),
      guardedDiff: maxAbsDiff(await run(guard), expected),
      guard,
      engineDiff,
    };
  } finally {
    x.dispose();
    model.dispose();
  }
}

/** The engine's own rule on this page (its CSP) and backend, and whether ONNX Runtime Web loads here. */
async function declines(backend: string, id?: string): Promise<ForwardReply> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = id ? zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 }) : undefined;
  try {
    return { ok: true, kind: 'declines', report: await engine.load(), reason: webOrtDeclines(tf.getBackend(), model) };
  } finally {
    model?.dispose();
  }
}
