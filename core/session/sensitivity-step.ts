import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { PruneConfig, TaskProgress } from '../api/contract.js';
import { type Batch, batchIndices, makeBatch } from '../data/batches.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../data/random.js';
import { takeRecords } from '../data/splits.js';
import { heldInMemory } from '../data/streaming/read-batch.js';
import type { ChannelGraph } from '../graph/channel-graph.js';
import { analyseSensitivity, DEFAULT_SENSITIVITY_RATIOS } from '../prune/sensitivity/analyse.js';
import { bytesOf, contentHash } from '../prune/sensitivity/content-hash.js';
import type { SensitivityTable } from '../prune/sensitivity/sensitivity-table.js';
import { decodeTable, encodeTable } from '../prune/sensitivity/table-codec.js';
import type { RunCache } from './run-inputs.js';
import type { ForwardChooser } from '../backend/forward-runner.js';

export const DEFAULT_SENSITIVITY_IMAGES = 500;
const EVAL_BATCH = 250;

export interface SensitivityStepContext {
  cache?: RunCache;
  signal?: AbortSignal;
  onProgress?: (progress: TaskProgress) => void;
  /** Run warnings: a cache that could not be read or written is reported here, never fatal. */
  warnings: string[];
  forward?: ForwardChooser;
}

/**
 * The sensitivity table of `model` on a fixed, seeded subset of the training images (the test split
 * stays untouched for the reported accuracy), from the host's cache when the same model, data, ratios,
 * criterion scores and seed were measured before.
 */
export async function measureSensitivity(
  model: tfl.LayersModel,
  graph: ChannelGraph,
  scores: ReadonlyMap<number, Float32Array>,
  train: ImageDataset,
  norm: Normalisation,
  config: Pick<PruneConfig, 'criterion' | 'seed' | 'sensitivityRatios' | 'sensitivityImages'>,
  context: SensitivityStepContext,
): Promise<{ table: SensitivityTable; cached: boolean }> {
  const ratios = config.sensitivityRatios ?? [...DEFAULT_SENSITIVITY_RATIOS];
  const order = shuffledIndices(train.count, seededRandom(config.seed + 11));
  // Held in memory (read, if the data set streams): the key hashes its pixels and every ratio runs on it.
  const subset = await heldInMemory(takeRecords(train, order.subarray(0, Math.min(train.count, config.sensitivityImages ?? DEFAULT_SENSITIVITY_IMAGES))));
  const key = await sensitivityKey(model, subset, norm, scores, { ratios, criterion: config.criterion, seed: config.seed });
  const { cache, warnings } = context;
  const hit = cache && (await readCached(cache, key, warnings));
  if (hit) return { table: hit, cached: true };

  const batches: Batch[] = [];
  for (const indices of batchIndices(
    Int32Array.from({ length: subset.count }, (_, i) => i),
    EVAL_BATCH,
  ))
    batches.push(makeBatch(subset, indices, norm));
  const table = await analyseSensitivity(model, graph, scores, batches, ratios, {
    signal: context.signal,
    forward: context.forward,
    onProgress: ({ step, total, group, ratio, accuracy }) =>
      context.onProgress?.({
        stage: 'sensitivity',
        step,
        total,
        message: group === undefined ? `baseline ${pct(accuracy)}` : `${graph.groups[group].producers.join('+')} -${pct(ratio!)}: ${pct(accuracy)}`,
      }),
  }).finally(() => tf.dispose(batches.flatMap((b) => [b.x, b.y])));
  if (cache) {
    await cache
      .write(key, encodeTable(key, table))
      .catch((error: unknown) => warnings.push(`could not store the sensitivity table in the cache: ${(error as Error).message}`));
  }
  return { table, cached: false };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * A content hash of everything the table depends on: the model (topology and every weight), the images,
 * labels and normalisation of the subset, the criterion's scores (which channels each trial removes),
 * the ratios, the criterion and the seed.
 */
async function sensitivityKey(
  model: tfl.LayersModel,
  subset: ImageDataset,
  norm: Normalisation,
  scores: ReadonlyMap<number, Float32Array>,
  settings: { ratios: number[]; criterion: string; seed: number },
): Promise<string> {
  const weights = await Promise.all(model.weights.map(async (w) => bytesOf(await w.read().data())));
  const scoreParts = [...scores].sort(([a], [b]) => a - b).flatMap(([group, values]) => [`group ${group}`, bytesOf(values)]);
  const hash = await contentHash([
    'pruneflow sensitivity v1',
    JSON.stringify(settings),
    JSON.stringify(model.toJSON(null, false)),
    ...weights,
    JSON.stringify({ shape: [subset.count, subset.height, subset.width, subset.channels], norm }),
    subset.images,
    subset.labels,
    ...scoreParts,
  ]);
  return `sensitivity-${hash}`;
}

/** A cached table, or undefined; a store that fails or an entry that does not decode is a warning and a miss. */
async function readCached(cache: RunCache, key: string, warnings: string[]): Promise<SensitivityTable | undefined> {
  try {
    const bytes = await cache.read(key);
    return bytes && decodeTable(bytes, key);
  } catch (error) {
    warnings.push(`ignored an unreadable sensitivity cache entry (${(error as Error).message}); measured again`);
    return undefined;
  }
}
