import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParallelTraining } from '../../core/train/fit.js';
import { fit } from '../../core/train/fit.js';
import { defaultAugmentation } from '../../core/data/augmentation.js';
import { openDataset } from '../../core/data/formats/index.js';
import { channelStatistics, type ImageDataset } from '../../core/data/image-dataset.js';
import { exportModel } from '../../core/models/io/export-model.js';
import { countFlops, countParameters } from '../../core/models/model-cost.js';
import { zooEntry } from '../../core/models/zoo.js';
import { openDataSource } from '../../core/node/open-data-source.js';
import { writeFilesAtomically } from '../../core/node/write-files.js';
import { evaluateAccuracy } from '../../core/train/evaluate.js';
import type { QualityBudget } from './quality-config.js';
import type { BaselineFacts } from './quality-store.js';

const RECORD_BYTES = 3073;
const RECIPE_FILE = 'recipe.json';

/** The first `count` images of a data set, as a view (no copy). */
function firstImages(data: ImageDataset, count: number): ImageDataset {
  const n = Math.min(count, data.count);
  const size = data.height * data.width * data.channels;
  return { ...data, count: n, images: data.images.subarray(0, n * size), labels: data.labels.subarray(0, n) };
}

/**
 * The trained ResNet-20 baseline: read from `dir` when a previous run saved it there, otherwise trained from
 * scratch on the first `images` training images (as `runPruning` trains a baseline) and saved in tfjs format.
 */
export async function ensureBaseline(
  dir: string,
  dataPath: string,
  recipe: QualityBudget['baseline'],
  parallel: ParallelTraining | undefined,
  log: (line: string) => void,
): Promise<BaselineFacts> {
  const recipeFile = join(dir, RECIPE_FILE);
  if (existsSync(join(dir, 'model.json')) && existsSync(recipeFile)) {
    const facts = JSON.parse(readFileSync(recipeFile, 'utf8')) as BaselineFacts;
    const sizes = (r: QualityBudget['baseline']) => [r.images, r.epochs, r.learningRate, r.batchSize].join();
    if (sizes(facts.recipe) === sizes(recipe)) {
      log(`baseline: reusing ${dir} (${(facts.accuracy * 100).toFixed(2)}% top-1)`);
      return facts;
    }
    log(`baseline: ${dir} was trained with another recipe; training afresh`);
  }
  const loaded = await openDataset(await openDataSource(dataPath));
  const train = firstImages(loaded.splits.train, recipe.images);
  const test = loaded.splits.test;
  const norm = channelStatistics(train);
  const model = zooEntry('resnet20').build({ inputShape: [train.height, train.width, train.channels], numClasses: loaded.classNames.length, seed: 1 });
  const started = performance.now();
  let lastLogged = 0;
  await fit(model, train, norm, {
    epochs: recipe.epochs,
    batchSize: recipe.batchSize,
    learningRate: recipe.learningRate,
    seed: 1,
    stage: 'baseline',
    augmentation: defaultAugmentation('natural'),
    parallel,
    onProgress: (p) => {
      if (p.step - lastLogged < 50 && p.step !== p.total) return;
      lastLogged = p.step;
      const m = p.metrics ?? {};
      log(`baseline: step ${p.step}/${p.total} ${p.message}, train acc ${((m.accuracy ?? 0) * 100).toFixed(1)}%, ${(m.imagesPerSecond ?? 0).toFixed(0)} img/s`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const facts: BaselineFacts = {
    accuracy: await evaluateAccuracy(model, test, norm),
    parameters: countParameters(model),
    flops: countFlops(model),
    seconds,
    trainedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    recipe: {
      ...recipe,
      optimizer: 'Adam',
      schedule: 'cosine decay per step',
      augmentation: 'random 32x32 crops of the image zero-padded by 4, horizontal flips',
      replicas: parallel?.replicas ?? 1,
    },
  };
  const files = await exportModel(model, 'tfjs');
  model.dispose();
  await writeFilesAtomically(dir, [...files, { name: RECIPE_FILE, bytes: new TextEncoder().encode(`${JSON.stringify(facts, null, 1)}\n`) }]);
  log(`baseline: trained in ${seconds.toFixed(0)} s, ${(facts.accuracy * 100).toFixed(2)}% top-1 on ${test.count} test images`);
  return facts;
}

/**
 * A CIFAR-10 binary folder holding the first `images` training records and the whole test batch: the
 * fine-tuning set every pruning run of the benchmark reads (runPruning takes a data set by path).
 */
export async function writeFineTuneSubset(source: string, folder: string, images: number): Promise<string> {
  await mkdir(folder, { recursive: true });
  const from = await open(join(source, 'data_batch_1.bin'), 'r');
  try {
    const bytes = new Uint8Array(images * RECORD_BYTES);
    const { bytesRead } = await from.read(bytes, 0, bytes.length, 0);
    await writeFilesAtomically(folder, [{ name: 'data_batch_1.bin', bytes: bytes.subarray(0, bytesRead - (bytesRead % RECORD_BYTES)) }]);
  } finally {
    await from.close();
  }
  for (const name of ['test_batch.bin', 'batches.meta.txt']) await copyFile(join(source, name), join(folder, name));
  return folder;
}
