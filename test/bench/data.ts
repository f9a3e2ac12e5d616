// Data pipeline benchmark (npm run bench): loading time, batches per second with and without
// augmentation on the CIFAR-10 subset, against the wasm training speed measured in the same run, and
// the resident memory of the full 60,000-image CIFAR-10 (a synthetic copy in the official format).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { defaultAugmentation, drawAugmentation } from '../../core/data/augmentation.js';
import { batchIndices, makeBatch } from '../../core/data/batches.js';
import { openDataset } from '../../core/data/formats/index.js';
import { channelStatistics } from '../../core/data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../../core/data/random.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { openDataSource } from '../../core/node/open-data-source.js';
import { buildSmallVgg } from '../../core/models/small-vgg.js';
import { machineFacts } from './machine.js';
import { median } from './measure.js';
import { ROOT } from './paths.js';
import { writeReportSection } from './report-file.js';

const SUBSET = join(ROOT, '../shared/data/cifar10-subset');
const BATCH = 128;
const MEMORY_LIMIT_MB = 400;

async function timeLoads(runs = 3) {
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const loaded = await openDataset(await openDataSource(SUBSET));
    times.push(performance.now() - started);
    count = Object.values(loaded.splits).reduce((n: number, s) => n + s.count, 0);
  }
  return { ms: median(times), count };
}

/** Images per second through makeBatch (uint8 -> normalised float tensor), one pass over the set. */
async function batchesPerSecond(augment: boolean) {
  const { train } = (await openDataset(await openDataSource(SUBSET))).splits;
  const norm = channelStatistics(train);
  const random = seededRandom(1);
  const augmentation = defaultAugmentation('natural');
  const started = performance.now();
  for (const indices of batchIndices(shuffledIndices(train.count, random), BATCH)) {
    const draws = augment ? Array.from(indices, () => drawAugmentation(augmentation, random)) : undefined;
    const batch = makeBatch(train, indices, norm, draws);
    await batch.x.data();
    tf.dispose([batch.x, batch.y]);
  }
  return train.count / ((performance.now() - started) / 1000);
}

/** Training images per second of the small VGG on wasm: the consumer the pipeline must outrun. */
async function wasmTrainingSpeed(steps = 4) {
  const model = buildSmallVgg({ inputShape: [32, 32, 3], numClasses: 10 });
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([64, 32, 32, 3]);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 64 }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const times: number[] = [];
  for (let i = 0; i < steps + 1; i++) {
    const started = performance.now();
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    await cost.data();
    cost.dispose();
    if (i > 0) times.push(performance.now() - started);
  }
  tf.dispose([x, y]);
  model.dispose();
  return 64 / (median(times) / 1000);
}

/** Writes a full-size CIFAR-10 binary folder (pseudo-random pixels) and loads it in a fresh process. */
function fullCifarMemory() {
  const dir = mkdtempSync(join(tmpdir(), 'pruneflow-cifar10-full-'));
  try {
    for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      const bytes = new Uint8Array(10000 * 3073);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.imul(i, 0x9e3779b1) >>> 24;
      for (let r = 0; r < 10000; r++) bytes[r * 3073] = r % 10;
      writeFileSync(join(dir, `${name}.bin`), bytes);
    }
    writeFileSync(join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
    const child = join(ROOT, 'dist/test/bench/data-memory-child.js');
    return JSON.parse(execFileSync(process.execPath, ['--expose-gc', child, dir], { encoding: 'utf8' })) as {
      images: number;
      imageBytes: number;
      seconds: number;
      rssBefore: number;
      rssAfter: number;
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await wasmCandidate.load();
  const facts = machineFacts();
  const load = await timeLoads();
  const plain = await batchesPerSecond(false);
  const augmented = await batchesPerSecond(true);
  const training = await wasmTrainingSpeed();
  const memory = fullCifarMemory();
  const mb = (bytes: number) => bytes / 2 ** 20;
  const residentMb = mb(memory.rssAfter - memory.rssBefore);
  const rows = [
    `| loading the CIFAR-10 subset (${load.count} images, binary format), median of 3 | ${load.ms.toFixed(0)} ms |`,
    `| batches of ${BATCH}, no augmentation (uint8 to normalised float tensor) | ` +
      `${plain.toFixed(0)} images/s (${(plain / training).toFixed(0)}x the wasm training speed) |`,
    `| batches of ${BATCH}, random crop (padding 4) and flip | ${augmented.toFixed(0)} ` +
      `images/s (${(augmented / training).toFixed(0)}x the wasm training speed) |`,
    `| wasm training of the small VGG, batch 64, same run | ${training.toFixed(1)} images/s |`,
    `| full CIFAR-10 in memory (${memory.images} images, ${mb(memory.imageBytes).toFixed(0)} MB of pixels), loaded in | ${memory.seconds.toFixed(1)} s |`,
    `| resident memory added by the full CIFAR-10 (after GC) | ${residentMb.toFixed(0)} MB ` +
      `(limit ${MEMORY_LIMIT_MB} MB: ${residentMb < MEMORY_LIMIT_MB ? 'met' : 'NOT met'}) |`,
  ];
  const ratio = Math.min(plain, augmented) / training;
  const body = `## Data pipeline

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, Node ${facts.node}. Images stay uint8 in memory and
become float batch by batch; augmentation happens in the same pass. The pipeline must deliver images at least
20 times faster than the wasm backend trains on them: ${ratio >= 20 ? 'met' : 'NOT met'} (${ratio.toFixed(0)}x).

| measure | result |
| --- | --- |
${rows.join('\n')}
`;
  console.log(body);
  if (!process.argv.includes('--no-write')) writeReportSection('data', body);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
