// Streaming benchmark (npm run bench:data-stream): a generated folder of 50,000 224x224 JPEGs (written once into
// .cache/, reused) read the way training reads it: shuffled batches with random crops and flips, the next batches
// decoded ahead on worker threads, a cache of decoded images bounded by what the data memory budget leaves beside the
// process (the budget covers the whole process, as in a run). Each budget runs in a fresh process: its peak resident
// memory against the budget, the cache's share and peak, and the images per second delivered, against
// the training speed of torchvision's ResNet-18 (224x224, imported from ONNX) on wasm in the same run.
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { defaultAugmentation, drawAugmentation } from '../../core/data/augmentation.js';
import { memoryTree } from '../../core/data/file-tree.js';
import { openDataset } from '../../core/data/formats/index.js';
import { seededRandom, shuffledIndices } from '../../core/data/random.js';
import { BUDGET_MARGIN } from '../../core/data/streaming/memory-budget.js';
import { prefetch, readBatch } from '../../core/data/streaming/read-batch.js';
import { importModel } from '../../core/models/io/import-model.js';
import { nodeDecodePool } from '../../core/node/decode-pool.js';
import { openDataSource } from '../../core/node/open-data-source.js';
import { nodeResidentMemory } from '../../core/node/resident-memory.js';
import { largeOnnx } from '../interop/onnx-fixtures.js';
import { ensureJpegFolder, JPEG_COUNT, JPEG_FOLDER, JPEG_SIZE } from './jpeg-folder.js';
import { machineFacts } from './machine.js';
import { median } from './measure.js';
import { writeReportSection } from './report-file.js';

const MiB = 2 ** 20;
const BATCH = 32;
/**
 * Budgets measured (MiB, the whole process) and the images each run delivers: enough to fill its cache and go on
 * evicting. `--quick` (a busy machine): fewer images, so the 2 GiB run's cache does not fill; the 512 MiB one's does.
 */
const QUICK = process.argv.includes('--quick');
const QUICK_NOTE = ' Quick protocol (`-- --quick`): fewer images delivered, so the 2 GiB cache does not fill.';
const RUNS: { budget: number; images: number }[] = QUICK
  ? [
      { budget: 2048, images: 2_000 },
      { budget: 512, images: 2_000 },
    ]
  : [
      { budget: 2048, images: 20_000 },
      { budget: 512, images: 4_000 },
    ];
const TRAIN_BATCH = QUICK ? 8 : 16;
const TARGET = 5;

interface Delivery {
  budgetMiB: number;
  images: number;
  /** Listing the folder and deciding to stream (a stat per file, two images decoded). */
  openSeconds: number;
  seconds: number;
  threads: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  /** What the budget left the cache: the budget less the process's resident memory as the folder opened and the margin. */
  cacheBudgetMiB: number;
  cachePeakMiB: number;
  decoded: number;
  note: string;
}

/** In the child: delivers `images` images as fit.ts asks for them, sampling resident memory all along. */
async function deliver(budgetMiB: number, images: number): Promise<Delivery> {
  await wasmCandidate.load();
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const decoder = nodeDecodePool();
  const opening = performance.now();
  const loaded = await openDataset(await openDataSource(JPEG_FOLDER), {
    stream: { budget: budgetMiB * MiB, decoder, residentMemory: nodeResidentMemory },
  });
  const openSeconds = (performance.now() - opening) / 1000;
  console.error(`opened in ${openSeconds.toFixed(0)} s`);
  const train = loaded.splits.train ?? loaded.splits.all; // train/ alone is the whole data set (split "all")
  if (!train.stream) throw new Error(`the folder was read into memory, not streamed (budget ${budgetMiB} MiB)`);
  const norm = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const random = seededRandom(1);
  const augmentation = defaultAugmentation('natural');
  const order = shuffledIndices(train.count, random).subarray(0, images);
  const started = performance.now();
  for (let start = 0; start < order.length; start += BATCH) {
    const indices = order.subarray(start, start + BATCH);
    prefetch(train, order.subarray(start + BATCH, start + 3 * BATCH));
    const draws = Array.from(indices, () => drawAugmentation(augmentation, random));
    const batch = await readBatch(train, indices, norm, draws);
    await batch.x.data();
    tf.dispose([batch.x, batch.y]);
    if ((start / BATCH) % 20 === 0) console.error(`${start + BATCH} images, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  const usage = train.stream.usage;
  await decoder.close();
  return {
    budgetMiB,
    images,
    openSeconds,
    seconds,
    threads: decoder.threads,
    rssStartMiB: rssStart / MiB,
    rssPeakMiB: rssPeak / MiB,
    cacheBudgetMiB: usage.budget / MiB,
    cachePeakMiB: usage.peak / MiB,
    decoded: usage.decoded,
    note: loaded.warnings.find((w) => w.startsWith('streamed')) ?? '',
  };
}

/** Training images per second of ResNet-18 at 224x224 on wasm, one engine: median of 3 steps (2 with --quick) after a warm-up. */
async function trainingSpeed(): Promise<number> {
  await wasmCandidate.load();
  const { bytes } = await largeOnnx('resnet18');
  const { model } = await importModel(memoryTree('bench', new Map([['resnet18.onnx', bytes]])));
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([TRAIN_BATCH, JPEG_SIZE, JPEG_SIZE, 3]);
  const classes = (model.outputs[0].shape[1] as number) ?? 1000;
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: TRAIN_BATCH }, (_, i) => i % classes),
      'int32',
    ),
    classes,
  );
  const times: number[] = [];
  for (let i = 0; i < (QUICK ? 3 : 4); i++) {
    const started = performance.now();
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    await cost.data();
    cost.dispose();
    if (i > 0) times.push(performance.now() - started);
  }
  tf.dispose([x, y]);
  model.dispose();
  return TRAIN_BATCH / (median(times) / 1000);
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    console.log(JSON.stringify(await deliver(Number(process.argv[child + 1]), Number(process.argv[child + 2]))));
    return;
  }
  ensureJpegFolder();
  const facts = machineFacts();
  const runs = RUNS.map(({ budget, images }) => {
    const out = execFileSync(process.execPath, [process.argv[1], '--child', String(budget), String(images)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const result = JSON.parse(out.trim().split('\n').pop()!) as Delivery;
    console.log(result);
    return result;
  });
  const training = await trainingSpeed();
  const loadAfter = machineFacts().loadAverage;
  const rows = runs.map((r) => {
    const rate = r.images / r.seconds;
    return (
      `| ${r.budgetMiB} MiB | ${r.openSeconds.toFixed(0)} s | ${r.images.toLocaleString('en-US')} | ` +
      `${rate.toFixed(0)} (${(rate / training).toFixed(1)}x) | ${r.threads} | ${r.cacheBudgetMiB.toFixed(0)} MiB | ${r.cachePeakMiB.toFixed(0)} MiB | ` +
      `${r.rssStartMiB.toFixed(0)} -> ${r.rssPeakMiB.toFixed(0)} MiB | ${r.rssPeakMiB <= r.budgetMiB ? 'yes' : 'NO'} |`
    );
  });
  const slowest = Math.min(...runs.map((r) => r.images / r.seconds));
  const verdict = slowest / training >= TARGET ? 'met' : 'NOT met';
  const within = runs.every((r) => r.rssPeakMiB <= r.budgetMiB);
  const body = `## Data larger than memory

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, Node ${facts.node}; load average ${facts.loadAverage.join(' / ')} before,
${loadAfter.join(' / ')} after (a shared machine). A generated folder of ${JPEG_COUNT.toLocaleString('en-US')} JPEGs of ${JPEG_SIZE}x${JPEG_SIZE}
(10 classes, \`.cache/data-stream/jpegs-224\`, ${decodedGiB().toFixed(1)} GiB decoded; 1,000 drawings, each file
its own bytes: see make_jpeg_folder.py) streams from disk: shuffled batches of
${BATCH} with random crops and flips, the next two batches decoded ahead on worker threads, decoded images cached as uint8 up
to what the budget leaves them: the budget is the whole process's, so the resident memory as the folder opens and a margin
of ${BUDGET_MARGIN / MiB} MiB (decoding threads, batches, garbage) come off the cache's share. The first pass over a shuffled
order misses the cache for every image, so these rates are those of decoding. Each budget runs in a fresh process;
memory is the whole process's resident set (sampled every 50 ms), from before the folder is opened (tfjs and the wasm
backend loaded) to its peak, against the budget. Training: torchvision's ResNet-18 (ONNX, imported) at
${JPEG_SIZE}x${JPEG_SIZE}, batch ${TRAIN_BATCH}, SGD with momentum, wasm, one engine: ${training.toFixed(1)} images/s.${QUICK ? QUICK_NOTE : ''}

| budget | opening (list, stat, decide) | images delivered | images/s (x training) | decoding threads | cache's share | cache peak | \
resident memory (start -> peak) | peak <= budget |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

The pipeline must feed training at least ${TARGET}x faster than it trains: ${verdict} (${(slowest / training).toFixed(0)}x).
Resident memory must stay under the budget: ${within ? 'it did in every run' : 'it did NOT in every run (see the last column)'}.
`;
  console.log(body);
  if (!process.argv.includes('--no-write')) writeReportSection('data-stream', body, 'npm run bench:data-stream');
}

function decodedGiB(): number {
  return (JPEG_COUNT * JPEG_SIZE * JPEG_SIZE * 3) / 2 ** 30;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
