import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { makeBatch } from '../data/batches.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { throwIfCancelled, yieldToEventLoop } from './cancellation.js';
import { halveBatch, isOutOfMemoryError } from './out-of-memory.js';
import type { PauseGate } from './pause-gate.js';
import { type ProgressListener, Throughput } from './progress.js';

export interface EvaluateOptions {
  signal?: AbortSignal;
  pause?: PauseGate;
  /** Reports step/total per batch under `stage` (default "evaluating"), and a smaller batch after running out of memory. */
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
  let batch = batchSize;
  let total = Math.ceil(data.count / batch);
  const throughput = new Throughput();
  let top1 = 0;
  let top5 = 0;
  let step = 0;
  let done = 0;
  while (done < data.count) {
    const indices = order.subarray(done, done + batch);
    await pause?.wait(signal);
    throwIfCancelled(signal, 'Evaluation');
    let hits: [number, number];
    try {
      hits = await countHits(model, makeBatch(data, indices, norm), withTop5);
    } catch (error) {
      // The device ran out of memory: the same images again in smaller batches, from here on.
      if (!isOutOfMemoryError(error)) throw error;
      batch = halveBatch(indices.length, error as Error, `${stage} at image ${done + 1}`, (message) => onProgress?.({ stage, step, total, message, warning: true }));
      total = step + Math.ceil((data.count - done) / batch);
      continue;
    }
    top1 += hits[0];
    top5 += hits[1];
    done += indices.length;
    throughput.add(indices.length);
    step++;
    onProgress?.({
      stage,
      step,
      total,
      message: `${done} of ${data.count} images`,
      metrics: { imagesPerSecond: throughput.imagesPerSecond(), secondsLeft: throughput.secondsLeft(step, total) },
    });
    await yieldToEventLoop();
  }
  return withTop5 ? { top1: top1 / data.count, top5: top5 / data.count } : { top1: top1 / data.count };
}

/** Top-1 and top-5 hits of one batch in inference mode; the batch and everything made from it are released, also on failure. */
async function countHits(model: tfl.LayersModel, batch: { x: tf.Tensor; y: tf.Tensor }, withTop5: boolean): Promise<[number, number]> {
  try {
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
    hits.dispose();
    return [one, five];
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
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
