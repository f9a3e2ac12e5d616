import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchIndices, makeBatch } from '../data/batches.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { throwIfCancelled, yieldToEventLoop } from './cancellation.js';
import type { PauseGate } from './pause-gate.js';
import { type ProgressListener, Throughput } from './progress.js';

export interface EvaluateOptions {
  signal?: AbortSignal;
  pause?: PauseGate;
  /** Reports step/total per batch under `stage` (default "evaluating"). */
  onProgress?: ProgressListener;
  stage?: string;
  batchSize?: number;
}

export interface Evaluation {
  top1: number;
  /** Share of images whose class is among the 5 highest logits; only with more than 5 classes. */
  top5?: number;
}

/** Top-1 (and top-5) accuracy in inference mode (batch norm uses its moving statistics). */
export async function evaluate(model: tfl.LayersModel, data: ImageDataset, norm: Normalisation, options: EvaluateOptions = {}): Promise<Evaluation> {
  const { signal, pause, onProgress, stage = 'evaluating', batchSize = 250 } = options;
  const withTop5 = data.classNames.length > 5;
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const total = Math.ceil(data.count / batchSize);
  const throughput = new Throughput();
  let top1 = 0;
  let top5 = 0;
  let step = 0;
  for (const indices of batchIndices(order, batchSize)) {
    await pause?.wait(signal);
    throwIfCancelled(signal, 'Evaluation');
    const batch = makeBatch(data, indices, norm);
    const hits = tf.tidy(() => {
      const logits = model.apply(batch.x, { training: false }) as tf.Tensor2D;
      const labels = tf.argMax(batch.y, 1);
      const first = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
      if (!withTop5) return tf.stack([first, tf.scalar(0)]);
      // Ties go to the lower class index, as argMax breaks them.
      const best5 = tf.topk(logits, 5).indices;
      const inBest5 = tf.any(tf.equal(best5, tf.expandDims(tf.cast(labels, 'int32'), 1)), 1);
      return tf.stack([first, tf.sum(tf.cast(inBest5, 'float32'))]);
    });
    const [one, five] = await hits.data();
    top1 += one;
    top5 += five;
    tf.dispose([hits, batch.x, batch.y]);
    throughput.add(indices.length);
    step++;
    onProgress?.({
      stage,
      step,
      total,
      message: `${step * batchSize < data.count ? step * batchSize : data.count} of ${data.count} images`,
      metrics: { imagesPerSecond: throughput.imagesPerSecond(), secondsLeft: throughput.secondsLeft(step, total) },
    });
    await yieldToEventLoop();
  }
  return withTop5 ? { top1: top1 / data.count, top5: top5 / data.count } : { top1: top1 / data.count };
}

/** Top-1 accuracy only. */
export async function evaluateAccuracy(
  model: tfl.LayersModel,
  data: ImageDataset,
  norm: Normalisation,
  signal?: AbortSignal,
  batchSize = 250,
): Promise<number> {
  return (await evaluate(model, data, norm, { signal, batchSize })).top1;
}
