/**
 * `npm run bench:forward`: forward passes (inference and evaluation) of ResNet-20 and the small VGG on ONNX
 * Runtime (the engine's ForwardEngine, as runs use it), on tfjs (wasm: the backend Node runs here) and on
 * PyTorch (2 threads, test/bench/torch_reference.py), side by side in one run. Prints a table and rewrites
 * its section of docs/benchmarks.md. Options: --models=resnet20,small-vgg  --no-write
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ForwardChooser, type ForwardRunner, tfjsRunner } from '../../core/backend/forward-runner.js';
import type { ImageDataset } from '../../core/data/image-dataset.js';
import { onnxRuntimeEngine } from '../../core/node/ort-runner.js';
import { evaluate } from '../../core/train/evaluate.js';
import { MODELS, type ModelKey } from './config.js';
import { machineFacts } from './machine.js';
import { ROOT, TORCH_SCRIPT } from './paths.js';
import { writeReportSection } from './report-file.js';

const BATCHES = [1, 128] as const;
const EVAL_IMAGES = 2000;
const EVAL_BATCH = 250;
const THREADS = 2;

const option = (name: string) =>
  process.argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',');
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** Median images per second of `step` on `batch` images, after warm-up runs. */
async function rate(batch: number, step: () => Promise<void>): Promise<number> {
  const warmup = 3;
  const steps = batch === 1 ? 40 : 12;
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t = performance.now();
    await step();
    if (i >= warmup) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return (batch * 1000) / times[Math.floor(times.length / 2)];
}

async function inferenceRate(runner: ForwardRunner, batch: number): Promise<number> {
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 3);
  try {
    return await rate(batch, async () => {
      const outputs = await runner.run(x);
      await Promise.all(outputs.map((o) => o.data()));
      tf.dispose(outputs);
    });
  } finally {
    x.dispose();
  }
}

/** Random 32x32 RGB images with labels: evaluation reads, normalises and batches them as a run does. */
function syntheticData(count: number): ImageDataset {
  const images = new Uint8Array(count * 32 * 32 * 3);
  let state = 7;
  for (let i = 0; i < images.length; i++) images[i] = (state = (state * 1103515245 + 12345) % 2147483648) >> 23;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { name: 'synthetic', images, labels, count, height: 32, width: 32, channels: 3, classNames: [...'0123456789'] };
}

interface TorchRow {
  model: ModelKey;
  batch: number;
  format: string;
  imagesPerSecond: number;
}

function torchReference(models: string[]): Promise<{ version: string; rows: TorchRow[] } | { reason: string }> {
  const python =
    process.env.PRUNEFLOW_BENCH_PYTHON ?? [join(ROOT, '.venv/bin/python'), '/work/venv/bin/python', '/usr/bin/python3'].find((p) => existsSync(p)) ?? 'python3';
  const args = [
    TORCH_SCRIPT,
    `--threads=${THREADS}`,
    '--warmup=3',
    '--steps=12',
    '--phases=infer',
    `--infer-batches=${[...BATCHES, EVAL_BATCH].join(',')}`,
    `--models=${models.join(',')}`,
  ];
  return new Promise((resolve) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', (error) => resolve({ reason: `${python}: ${error.message}` }));
    child.on('close', () => {
      try {
        const report = JSON.parse(out.trim().split('\n').pop() ?? '') as { available: boolean; torch: string; results: TorchRow[]; reason?: string };
        resolve(report.available ? { version: report.torch, rows: report.results } : { reason: report.reason ?? 'unavailable' });
      } catch {
        resolve({ reason: `${python} printed no report` });
      }
    });
  });
}

const best = (rows: TorchRow[], model: string, batch: number) =>
  Math.max(...rows.filter((r) => r.model === model && r.batch === batch).map((r) => r.imagesPerSecond));

async function main() {
  const write = !process.argv.includes('--no-write');
  const keys = option('models') ?? ['resnet20', 'small-vgg'];
  const models = MODELS.filter((m) => keys.includes(m.key));
  const machine = machineFacts();
  log(`forward bench: ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverage.join(', ')}`);
  await tf.setBackend('wasm');
  await tf.ready();
  const engine = onnxRuntimeEngine({ threads: THREADS });
  const ortLine = await engine.load();
  log(ortLine);
  log('PyTorch reference...');
  const torch = await torchReference(models.map((m) => m.key));
  log('version' in torch ? `PyTorch ${torch.version}, ${THREADS} threads` : `PyTorch not available: ${torch.reason}`);

  const rows: string[][] = [];
  const data = syntheticData(EVAL_IMAGES);
  const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
  for (const spec of models) {
    const model: tfl.LayersModel = spec.build();
    const convertStart = performance.now();
    const ort = await engine.open(model, []);
    const conversionMs = performance.now() - convertStart;
    log(`${spec.label}: ONNX Runtime conversion (export + session) ${conversionMs.toFixed(0)} ms`);
    const wasm = tfjsRunner(model);
    for (const batch of BATCHES) {
      const o = await inferenceRate(ort, batch);
      const w = await inferenceRate(wasm, batch);
      const p = 'rows' in torch ? best(torch.rows, spec.key, batch) : Number.NaN;
      log(`${spec.label} inference b${batch}: ONNX Runtime ${o.toFixed(0)}, tfjs wasm ${w.toFixed(0)}, PyTorch ${p.toFixed(0)} img/s`);
      rows.push([spec.label, `inference, batch ${batch}`, o.toFixed(0), w.toFixed(0), p.toFixed(0), (o / p).toFixed(2), (w / p).toFixed(2)]);
    }
    await ort.dispose();
    // Evaluation as a run does it: data batched and normalised, the model converted anew (ONNX Runtime).
    const timeEval = async (chooser?: ForwardChooser) => {
      const t = performance.now();
      await evaluate(model, data, norm, { batchSize: EVAL_BATCH, forward: chooser });
      return (EVAL_IMAGES * 1000) / (performance.now() - t);
    };
    await timeEval(); // warm-up of the tfjs kernels for this batch size
    const chooser = new ForwardChooser(engine);
    const o = await timeEval(chooser);
    const w = await timeEval();
    const p = 'rows' in torch ? best(torch.rows, spec.key, EVAL_BATCH) : Number.NaN;
    log(
      `${spec.label} evaluation of ${EVAL_IMAGES} images: ONNX Runtime ${o.toFixed(0)} (${chooser.summary().join('; ')}), ` +
        `tfjs wasm ${w.toFixed(0)}, PyTorch inference b${EVAL_BATCH} ${p.toFixed(0)} img/s`,
    );
    rows.push([
      spec.label,
      `evaluation, ${EVAL_IMAGES} images (conversion included)`,
      o.toFixed(0),
      w.toFixed(0),
      p.toFixed(0),
      (o / p).toFixed(2),
      (w / p).toFixed(2),
    ]);
    model.dispose();
  }

  const header = ['model', 'work', 'ONNX Runtime img/s', 'tfjs wasm img/s', 'PyTorch img/s', 'ORT / PyTorch', 'wasm / PyTorch'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(['', header, ...rows].map((r) => (r === '' ? '' : (r as string[]).map((c, i) => c.padEnd(widths[i])).join('  '))).join('\n'));
  if (!write) return;
  const md = [
    '## Forward passes: ONNX Runtime, tfjs and PyTorch',
    '',
    `Measured by \`npm run bench:forward\` on ${machine.date}: ${machine.cpu}, ${machine.cores} cores, load average ${machine.loadAverage.join(', ')}; ` +
      `${ortLine}; tfjs wasm (${machine.tfjs}; tfjs-node cannot load here, see the backends section); ` +
      `${'version' in torch ? `PyTorch ${torch.version}, ${THREADS} threads, the faster of contiguous and channels-last` : ''}` +
      `${'version' in torch ? '' : `PyTorch not available (${torch.reason})`}. ` +
      "Random weights; median of timed runs after 3 warm-up runs; inference includes the engine's copies in and out of tfjs tensors. " +
      `Evaluation is the engine's \`evaluate\` on ${EVAL_IMAGES} synthetic images in batches of ` +
      `${EVAL_BATCH} (reading, normalising, and for ONNX Runtime the conversion of the model), ` +
      `against PyTorch's inference alone at batch ${EVAL_BATCH}. PyTorch runs first (a child process, every model), then the engine: ` +
      "on a loaded machine the two halves see different load, and PyTorch's two OpenMP threads suffer most from it (batch 1 above all), " +
      `so compare ratios across runs with care. Target (issue 18): at least 0.7x PyTorch.`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  writeReportSection('forward', md, 'npm run bench:forward');
  log('wrote docs/benchmarks.md (section forward)');
}

await main();
