import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ClassScore } from '../api/contract.js';
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
  /** Per class, in the data set's class order: its images and how many were predicted right. */
  perClass: ClassScore[];
}

/** Top-1 (and top-5) accuracy, overall and per class, in inference mode (batch norm uses its moving statistics). */
export async function evaluate(model: tfl.LayersModel, data: ImageDataset, norm: Normalisation, options: EvaluateOptions = {}): Promise<Evaluation> {
  const { signal, pause, onProgress, stage = 'evaluating', batchSize = 250 } = options;
  const withTop5 = data.classNames.length > 5;
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const total = Math.ceil(data.count / batchSize);
  const throughput = new Throughput();
  const seen = new Float64Array(data.classNames.length);
  const right = new Float64Array(data.classNames.length);
  let top5 = 0;
  let step = 0;
  for (const indices of batchIndices(order, batchSize)) {
    await pause?.wait(signal);
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
  const top1 = right.reduce((a, b) => a + b, 0) / data.count;
  const perClass = data.classNames.map((name, c) => ({ name, images: seen[c], correct: right[c] }));
  return withTop5 ? { top1, top5: top5 / data.count, perClass } : { top1, perClass };
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
