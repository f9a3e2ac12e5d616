import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchIndices, makeBatch } from '../data/batches.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../data/random.js';

interface WithMomentum {
  momentum: number;
}

/**
 * Re-estimates every batch norm's moving mean and variance as the plain average over `batches`
 * training batches. Removing channels changes the statistics downstream; stale ones make a pruned
 * model look far worse than it is (the "adaptive BN" of EagleEye, Li et al. 2020). Weights are unchanged.
 */
export async function recalibrateBatchNorm(
  model: tfl.LayersModel,
  data: ImageDataset,
  norm: Normalisation,
  { batches = 20, batchSize = 64, seed = 0 } = {},
): Promise<void> {
  const layers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as unknown as WithMomentum[];
  if (layers.length === 0) return;
  const saved = layers.map((l) => l.momentum);
  try {
    let k = 0;
    for (const indices of batchIndices(shuffledIndices(data.count, seededRandom(seed)), batchSize)) {
      if (k === batches) break;
      // new = old * momentum + batch * (1 - momentum): momentum k/(k+1) gives the running average.
      for (const layer of layers) layer.momentum = k / (k + 1);
      const batch = makeBatch(data, indices, norm);
      tf.tidy(() => {
        model.apply(batch.x, { training: true });
      });
      tf.dispose([batch.x, batch.y]);
      k++;
    }
  } finally {
    layers.forEach((l, i) => (l.momentum = saved[i]));
  }
}
