// Data-parallel training benchmark (npm run bench): images per second of fit() on one wasm engine against
// fit() on one engine per core (worker threads, gradients averaged each step), with the pruning papers' recipe
// (SGD with Nesterov's momentum, weight decay 5e-4 on every weight, batch 128), and PyTorch with 2 threads on
// the same models, batch and optimizer, side by side in one run. `--no-write` prints without updating docs/benchmarks.md.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { availableParallelism } from 'node:os';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import type { ImageDataset } from '../../core/data/image-dataset.js';
import { seededRandom } from '../../core/data/random.js';
import { nodeReplicaSpawner } from '../../core/node/training-workers.js';
import { fit, type FitOptions } from '../../core/train/fit.js';
import { MODELS, TORCH } from './config.js';
import { machineFacts } from './machine.js';
import { median } from './measure.js';
import { writeReportSection } from './report-file.js';
import { bestTorch, runTorchReference } from './torch-reference.js';

const BATCH = 128;
/** Steps timed after one warm-up step: (1 + STEPS) * BATCH images per configuration. */
const STEPS = 4;
const DECAY = 5e-4;

function randomImages(count: number): ImageDataset {
  const random = seededRandom(5);
  const images = Uint8Array.from({ length: count * 3072 }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { name: 'random', images, labels, count, height: 32, width: 32, channels: 3, classNames: [...'0123456789'] };
}

const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };

const RECIPE: FitOptions = {
  epochs: 1,
  batchSize: BATCH,
  learningRate: 0.01,
  seed: 1,
  stage: 'bench',
  optimizer: 'sgd',
  nesterov: true,
  weightDecay: DECAY,
  weightDecayOn: 'all',
  schedule: 'constant',
};

/**
 * Images per second of fit() itself: the median time between its progress events (one per optimizer step)
 * after the first step, which on replicas includes starting them.
 */
async function trainingRate(model: tfl.LayersModel, data: ImageDataset, replicas: number): Promise<{ imagesPerSecond: number; engines: number }> {
  const stamps: number[] = [];
  const parallel = replicas > 1 ? { replicas, spawnReplica: nodeReplicaSpawner() } : undefined;
  const result = await fit(model, data, norm, { ...RECIPE, parallel, onProgress: (p) => void (p.metrics && stamps.push(performance.now())) });
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
  return { imagesPerSecond: BATCH / (median(gaps) / 1000), engines: result.engines };
}

async function main(): Promise<void> {
  await wasmCandidate.load();
  const facts = machineFacts();
  const cores = availableParallelism();
  const replicas = Math.max(2, Math.min(cores, 4));
  const data = randomImages(BATCH * (STEPS + 1));
  const rows: string[] = [];
  const torch = await runTorchReference(
    MODELS.map((m) => m.key),
    { trainBatch: BATCH, inferBatches: [], weightDecay: DECAY, nesterov: true, warmup: 1, steps: STEPS },
  );
  if (!torch.available) console.error(`PyTorch reference unavailable: ${torch.reason}`);
  for (const spec of MODELS) {
    const one = await trainingRate(spec.build(), data, 1);
    const many = await trainingRate(spec.build(), data, replicas);
    const reference = bestTorch(torch, spec.key, 'train', BATCH)?.imagesPerSecond;
    const ratio = (x: number) => (reference ? `${(x / reference).toFixed(2)}x` : 'n/a');
    rows.push(
      `| ${spec.label} | ${one.imagesPerSecond.toFixed(1)} | ${many.imagesPerSecond.toFixed(1)} (${many.engines} engines) | ` +
        `${(many.imagesPerSecond / one.imagesPerSecond).toFixed(2)}x | ${reference?.toFixed(1) ?? 'n/a'} ` +
        `| ${ratio(one.imagesPerSecond)} | ${ratio(many.imagesPerSecond)} |`,
    );
    console.log(rows.at(-1));
    tf.disposeVariables();
  }
  const body = `## Training on every core: data-parallel wasm engines, the papers' recipe

Last run: ${facts.date}, ${facts.cpu}, ${cores} cores, load average ${facts.loadAverage.map((l) => l.toFixed(1)).join(' / ')}. tfjs cannot run
its threaded wasm build in Node, so Pruneflow trains on one wasm engine per core (worker threads, at most 4): each
computes the gradients of its share of the batch, and every engine applies the averaged gradients with the same
optimizer step. Recipe: SGD with Nesterov's momentum 0.9, weight decay ${DECAY} on every weight, batch ${BATCH}, random
32x32x3 images; fit() itself, the median time between its optimizer steps over ${STEPS} steps after a warm-up step
(${(STEPS + 1) * BATCH} images per cell). PyTorch ${torch.available ? torch.torch : '(unavailable)'} with ${TORCH.threads} threads, the same models, batch and
optimizer (\`torch.optim.SGD(weight_decay=${DECAY}, nesterov=True)\`), the faster memory format, measured in the same run.
Every training stage uses the engines per core on the wasm backend (\`--training-engines 1\` or
\`PRUNEFLOW_TRAINING_REPLICAS=1\` turns it off).

| model | one engine, img/s | one engine per core, img/s | speed-up | PyTorch (${TORCH.threads} threads), img/s | one engine / PyTorch | per core / PyTorch |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  console.log(body);
  if (!process.argv.includes('--no-write')) writeReportSection('parallel-training', body);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
