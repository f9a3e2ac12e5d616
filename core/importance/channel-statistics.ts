import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../data/batches.js';
import { halveBatch, isOutOfMemoryError } from '../train/out-of-memory.js';
import { type ForwardRunner, tfjsRunner } from '../backend/forward-runner.js';
import { CalibrationRequiredError } from './criterion.js';

/** A tensor to measure and how many channels its last axis holds (fewer than its width after a flatten). */
export interface StatisticTarget {
  key: string;
  tensor: tfl.SymbolicTensor;
  channels: number;
}

/**
 * Section 1, one-shot: mu_c = E_x[ mean_{h,w} |A_c(x)| ] for every target, over all calibration images,
 * in inference mode. Images go through in chunks so only one chunk's feature maps are alive at a time;
 * each tensor is reduced to its channel sums as soon as it is made. A chunk the device has no memory
 * for goes through again in halves (the sums do not depend on the chunk); `warn` says so. `runner` runs
 * the passes (its probes are the targets' tensors, after the model's outputs); tfjs without one.
 */
export async function measureChannelMeans(
  model: tfl.LayersModel,
  targets: readonly StatisticTarget[],
  batches: readonly Batch[],
  { chunk = 32, warn = () => {}, runner }: { chunk?: number; warn?: (message: string) => void; runner?: ForwardRunner } = {},
): Promise<Map<string, Float32Array>> {
  const sums = targets.map((t) => new Float64Array(t.channels));
  let images = 0;
  const run =
    runner ??
    tfjsRunner(
      model,
      targets.map((t) => t.tensor),
    );
  for (const batch of batches) {
    for (let start = 0; start < batch.size;) {
      const size = Math.min(chunk, batch.size - start);
      let parts: tf.Tensor[];
      try {
        const x = tf.slice(batch.x, [start], [size]);
        const outputs = await run.run(x).finally(() => x.dispose());
        try {
          parts = tf.tidy(() =>
            // [images, positions, channels]: channels-last, so a flattened map reshapes back per channel.
            outputs.slice(model.outputs.length).map((t, i) => tf.sum(tf.mean(tf.abs(tf.reshape(t, [size, -1, targets[i].channels])), 1), 0)),
          );
        } finally {
          tf.dispose(outputs);
        }
      } catch (error) {
        if (!isOutOfMemoryError(error)) throw error;
        chunk = halveBatch(size, error as Error, `measuring activations at image ${images + 1}`, warn);
        continue;
      }
      const values = parts.map((p) => p.dataSync());
      tf.dispose(parts);
      values.forEach((v, i) => v.forEach((s, c) => (sums[i][c] += s)));
      start += size;
      images += size;
    }
  }
  if (images === 0) throw new CalibrationRequiredError('Channel statistics need at least one calibration image.');
  return new Map(targets.map((t, i) => [t.key, Float32Array.from(sums[i], (s) => s / images)]));
}
