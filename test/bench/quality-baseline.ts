import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { openDataset } from '../../core/data/formats/index.js';
import { channelStatistics, type ImageDataset } from '../../core/data/image-dataset.js';
import { exportModel } from '../../core/models/io/export-model.js';
import { countFlops, countParameters } from '../../core/models/model-cost.js';
import { zooEntry } from '../../core/models/zoo.js';
import { openDataSource } from '../../core/node/open-data-source.js';
import { writeFilesAtomically } from '../../core/node/write-files.js';
import { evaluateAccuracy } from '../../core/train/evaluate.js';
import { BLOCK_RATIO, type QualityBudget, type QualityDataset } from './quality-config.js';
import type { BaselineFacts } from './quality-store.js';
import { runTorchQuality, type TorchQuality } from './quality-torch.js';

const RECIPE_FILE = 'recipe.json';
/** The converted weights must score what PyTorch scored, or the conversion is wrong. */
const CONVERSION_TOLERANCE = 0.02;

export class BaselineConversionError extends Error {
  override name = 'BaselineConversionError';
}

/** The first `count` images of a data set, as a view (no copy). */
function firstImages(data: ImageDataset, count: number): ImageDataset {
  const n = Math.min(count, data.count);
  const size = data.height * data.width * data.channels;
  return { ...data, count: n, images: data.images.subarray(0, n * size), labels: data.labels.subarray(0, n) };
}

interface TorchWeights {
  accuracy: number;
  seconds: number;
  layers: Record<string, { shape: number[]; data: number[] }[]>;
}

/**
 * The trained ResNet-20 baseline, with the PyTorch reference that trained it: read from `dir` when a previous
 * run saved them there; otherwise PyTorch trains it with Pruneflow's recipe (on this shared machine Pruneflow's
 * wasm training ran at 9-10 images/s, too slow for the time box), its weights are loaded into the zoo
 * ResNet-20, checked on the test set and saved in tfjs format.
 */
export async function ensureBaseline(
  dir: string,
  dataPath: string,
  budget: QualityBudget,
  dataset: QualityDataset,
  log: (line: string) => void,
): Promise<{ facts: BaselineFacts; torch: TorchQuality }> {
  const recipe = budget.baseline;
  const recipeFile = join(dir, RECIPE_FILE);
  const sizes = (r: QualityBudget['baseline']) => [r.images, r.epochs, r.learningRate, r.batchSize].join();
  if (existsSync(join(dir, 'model.json')) && existsSync(recipeFile)) {
    const saved = JSON.parse(readFileSync(recipeFile, 'utf8')) as { facts: BaselineFacts; torch: TorchQuality };
    if (sizes(saved.facts.recipe) === sizes(recipe)) {
      log(`baseline: reusing ${dir} (${(saved.facts.accuracy * 100).toFixed(2)}% top-1)`);
      return saved;
    }
    log(`baseline: ${dir} was trained with another recipe; training afresh`);
  }
  const weightsFile = join(tmpdir(), `pruneflow-torch-baseline-${dataset.id}-${budget.mode}.json`);
  await mkdir(dir, { recursive: true });
  // PyTorch's output is kept until the conversion succeeded, so a failed conversion does not cost the training.
  const resultFile = `${weightsFile}.result.json`;
  let torch: TorchQuality;
  if (existsSync(weightsFile) && existsSync(resultFile)) {
    torch = JSON.parse(readFileSync(resultFile, 'utf8')) as TorchQuality;
    log(`baseline: reusing PyTorch's output in ${weightsFile}`);
  } else {
    log('baseline: PyTorch trains it, then prunes and fine-tunes its reference row');
    torch = await runTorchQuality(dataPath, budget, dataset, BLOCK_RATIO, weightsFile, 90 * 60_000, log);
    if (!torch.available) throw new BaselineConversionError(`No baseline: the PyTorch run failed: ${torch.reason}`);
    await writeFile(resultFile, JSON.stringify(torch));
  }
  if (!torch.available) throw new BaselineConversionError(`No baseline: the PyTorch run failed: ${torch.reason}`);
  const trained = JSON.parse(readFileSync(weightsFile, 'utf8')) as TorchWeights;

  const loaded = await openDataset(await openDataSource(dataPath));
  const train = firstImages(loaded.splits.train, recipe.images);
  const test = loaded.splits.test;
  const model = zooEntry('resnet20').build({ inputShape: [train.height, train.width, train.channels], numClasses: loaded.classNames.length, seed: 1 });
  for (const [name, weights] of Object.entries(trained.layers)) {
    const tensors = weights.map((w) => tf.tensor(w.data, w.shape));
    model.getLayer(name).setWeights(tensors);
    tf.dispose(tensors);
  }
  const accuracy = await evaluateAccuracy(model, test, channelStatistics(train));
  log(`baseline: ${(accuracy * 100).toFixed(2)}% top-1 in tfjs, ${(trained.accuracy * 100).toFixed(2)}% in PyTorch`);
  if (Math.abs(accuracy - trained.accuracy) > CONVERSION_TOLERANCE) {
    model.dispose();
    throw new BaselineConversionError(
      `The converted baseline scores ${(accuracy * 100).toFixed(2)}% in tfjs against ${(trained.accuracy * 100).toFixed(2)}% in PyTorch`,
    );
  }
  const facts: BaselineFacts = {
    accuracy,
    parameters: countParameters(model),
    flops: countFlops(model),
    seconds: trained.seconds,
    trainedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    recipe: {
      ...recipe,
      optimizer: 'Adam',
      schedule: 'cosine decay per step',
      augmentation: dataset.augmentationText,
      trainer: `PyTorch ${torch.torch}, ${torch.threads} thread, test/bench/torch_quality.py`,
    },
  };
  const files = await exportModel(model, 'tfjs');
  model.dispose();
  await writeFilesAtomically(dir, [...files, { name: RECIPE_FILE, bytes: new TextEncoder().encode(`${JSON.stringify({ facts, torch }, null, 1)}\n`) }]);
  await Promise.all([rm(weightsFile, { force: true }), rm(resultFile, { force: true })]);
  return { facts, torch };
}
