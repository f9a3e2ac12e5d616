import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchIndices, makeBatch } from '../data/batches.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { throwIfCancelled, yieldToEventLoop } from './cancellation.js';

/** Top-1 accuracy in inference mode (batch norm uses its moving statistics). */
export async function evaluateAccuracy(
  model: tfl.LayersModel,
  data: ImageDataset,
  norm: Normalisation,
  signal?: AbortSignal,
  batchSize = 250,
): Promise<number> {
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  let correct = 0;
  for (const indices of batchIndices(order, batchSize)) {
    throwIfCancelled(signal, 'Evaluation');
    const batch = makeBatch(data, indices, norm);
    const hits = tf.tidy(() => {
      const logits = model.apply(batch.x, { training: false }) as tf.Tensor2D;
      return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(batch.y, 1)), 'float32'));
    });
    correct += (await hits.data())[0];
    tf.dispose([hits, batch.x, batch.y]);
    await yieldToEventLoop();
  }
  return correct / data.count;
}
