// Data-parallel training benchmark (npm run bench): images per second of one wasm engine against one
// engine per core (worker threads, gradients averaged each step), side by side, same model and batch.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { availableParallelism } from 'node:os';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import type { ImageDataset } from '../../core/data/image-dataset.js';
import { seededRandom } from '../../core/data/random.js';
import { zooEntry } from '../../core/models/zoo.js';
import { createParallelTrainer } from '../../core/node/training-workers.js';
import { fit } from '../../core/train/fit.js';
import { machineFacts } from './machine.js';
import { median } from './measure.js';
import { writeReportSection } from './report-file.js';

const BATCH = 64;
const STEPS = 6;

function randomImages(count: number): ImageDataset {
  const random = seededRandom(5);
  const images = Uint8Array.from({ length: count * 3072 }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { name: 'random', images, labels, count, height: 32, width: 32, channels: 3, classNames: [...'0123456789'] };
}

const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };

/** Median seconds per step of one engine, from fit's own progress events. */
async function singleEngine(model: tfl.LayersModel, data: ImageDataset): Promise<number> {
  const stamps: number[] = [];
  await fit(model, data, norm, { epochs: 1, batchSize: BATCH, learningRate: 1e-3, seed: 1, stage: 'bench', onProgress: () => void stamps.push(performance.now()) });
  return BATCH / (median(stamps.slice(2).map((t, i) => t - stamps[i + 1])) / 1000);
}

async function replicas(model: tfl.LayersModel, data: ImageDataset, count: number): Promise<number> {
  const trainer = await createParallelTrainer({ model, data, norm, replicas: count });
  const step = (s: number) => trainer.step(Int32Array.from({ length: BATCH }, (_, i) => (s * BATCH + i) % data.count), undefined, 1e-3);
  let seconds = 0;
  try {
    for (let s = 0; s < 2; s++) await step(s);
    await trainer.sync();
    // step() returns once the averaged gradients are sent; the sync at the end waits for the last update.
    const started = performance.now();
    for (let s = 0; s < STEPS; s++) await step(s);
    await trainer.sync();
    seconds = (performance.now() - started) / 1000 / STEPS;
  } finally {
    await trainer.dispose();
  }
  return BATCH / seconds;
}

async function main(): Promise<void> {
  await wasmCandidate.load();
  const facts = machineFacts();
  const cores = availableParallelism();
  const data = randomImages(BATCH * (STEPS + 2));
  const rows: string[] = [];
  for (const id of ['small-vgg', 'resnet20']) {
    const model = zooEntry(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
    const one = await singleEngine(model, data);
    const many = await replicas(model, data, Math.max(2, cores));
    rows.push(`| ${id} | ${one.toFixed(1)} | ${many.toFixed(1)} | ${(many / one).toFixed(2)}x |`);
    console.log(rows.at(-1));
    model.dispose();
  }
  const body = `## Training on every core: data-parallel wasm engines

Last run: ${facts.date}, ${facts.cpu}, ${cores} cores. tfjs cannot run its threaded wasm build in Node, so Pruneflow
trains on one wasm engine per core (worker threads): each computes the gradients of its share of the batch, the
averages are applied by every engine alike. Batch ${BATCH}, random 32x32x3 images, the median step of one engine and the mean of ${STEPS} steps
of the parallel engines after 2 warm-up steps, one engine against ${Math.max(2, cores)} measured one after the other in this run. Baseline training in
\`pruneflow prune\` uses it on the wasm backend (\`PRUNEFLOW_TRAINING_REPLICAS=1\` turns it off). Multiply the
single-engine ratio to PyTorch in the backends table by the speed-up for the ratio of the parallel engines.

| model | one engine, img/s | one engine per core, img/s | speed-up |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
  console.log(body);
  if (!process.argv.includes('--no-write')) writeReportSection('parallel-training', body);
  tf.disposeVariables();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
