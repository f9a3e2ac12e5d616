import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchIndices, makeBatch } from '../data/batches.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { throwIfCancelled, yieldToEventLoop } from './cancellation.js';
import type { ProgressListener } from './progress.js';

export interface ClassAccuracy {
  top1: number;
  /** Only with more than 5 classes. */
  top5?: number;
  /** Per class, in the data set's class order: its test images and the share predicted right. */
  perClass: { name: string; images: number; accuracy: number }[];
}

/** Top-1, top-5 and per-class accuracy in inference mode, batch by batch. */
export async function classAccuracy(model: tfl.LayersModel, data: ImageDataset, norm: Normalisation, options: { signal?: AbortSignal; onProgress?: ProgressListener; batchSize?: number } = {}): Promise<ClassAccuracy> {
  const { signal, onProgress, batchSize = 250 } = options;
  const classes = data.classNames.length;
  const withTop5 = classes > 5;
  const seen = new Float64Array(classes);
  const right = new Float64Array(classes);
  let top5 = 0;
  const total = Math.ceil(data.count / batchSize);
  let step = 0;
  for (const indices of batchIndices(Int32Array.from({ length: data.count }, (_, i) => i), batchSize)) {
    throwIfCancelled(signal, 'Evaluation');
    const batch = makeBatch(data, indices, norm);
    const [predicted, inBest5] = tf.tidy(() => {
      const logits = model.apply(batch.x, { training: false }) as tf.Tensor2D;
      const labels = tf.cast(tf.argMax(batch.y, 1), 'int32');
      // Ties go to the lower class index, as argMax breaks them.
      const five = withTop5 ? tf.any(tf.equal(tf.topk(logits, 5).indices, tf.expandDims(labels, 1)), 1) : tf.zeros([indices.length], 'bool');
      return [tf.argMax(logits, 1), five];
    });
    const [guesses, fives] = await Promise.all([predicted.data(), inBest5.data()]);
    tf.dispose([predicted, inBest5, batch.x, batch.y]);
    for (let b = 0; b < indices.length; b++) {
      const label = data.labels[indices[b]];
      seen[label]++;
      if (guesses[b] === label) right[label]++;
      if (fives[b]) top5++;
    }
    step++;
    onProgress?.({ stage: 'evaluating', step, total, message: `${Math.min(step * batchSize, data.count)} of ${data.count} images` });
    await yieldToEventLoop();
  }
  const hits = right.reduce((a, b) => a + b, 0);
  return {
    top1: hits / data.count,
    ...(withTop5 && { top5: top5 / data.count }),
    perClass: data.classNames.map((name, c) => ({ name, images: seen[c], accuracy: seen[c] ? right[c] / seen[c] : Number.NaN })),
  };
}
