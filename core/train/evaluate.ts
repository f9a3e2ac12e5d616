import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ClassScore } from '../api/contract.js';
import { type ForwardChooser, type ForwardRunner, tfjsRunner } from '../backend/forward-runner.js';
import { prefetch, readBatch } from '../data/streaming/read-batch.js';
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
  /** Picks the engine for the forward passes (ONNX Runtime where the host has it and it pays off); tfjs without. */
  forward?: ForwardChooser;
  /** Also count which class each class's images were predicted as (Evaluation.confusion). */
  confusion?: boolean;
}

export interface Evaluation {
  top1: number;
  /** Share of images whose class is among the 5 highest logits; only with more than 5 classes. */
  top5?: number;
  /** Per class, in the data set's class order: its images and how many were predicted right. */
  perClass: ClassScore[];
  /** With options.confusion: confusion[dataClass][predicted] images (predictions past the data's classes left out). */
  confusion?: number[][];
}

/** Top-1 (and top-5) accuracy, overall and per class, in inference mode (batch norm uses its moving statistics). */
export async function evaluate(model: tfl.LayersModel, data: ImageDataset, norm: Normalisation, options: EvaluateOptions = {}): Promise<Evaluation> {
  const { signal, pause, onProgress, stage = 'evaluating', batchSize = 250, forward, confusion } = options;
  const runner = forward ? await forward.open('evaluation', model, { images: data.count }) : tfjsRunner(model);
  try {
    return await evaluateWith(runner, data, norm, { signal, pause, onProgress, stage, batchSize, confusion });
  } finally {
    await runner.dispose();
  }
}

async function evaluateWith(
  runner: ForwardRunner,
  data: ImageDataset,
  norm: Normalisation,
  { signal, pause, onProgress, stage, batchSize, confusion }: EvaluateOptions & { stage: string; batchSize: number },
): Promise<Evaluation> {
  const withTop5 = data.classNames.length > 5;
  const counts = confusion ? data.classNames.map(() => new Array<number>(data.classNames.length).fill(0)) : undefined;
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  let batch = batchSize;
  let total = Math.ceil(data.count / batch);
  const throughput = new Throughput();
  const seen = new Float64Array(data.classNames.length);
  const right = new Float64Array(data.classNames.length);
  let top5 = 0;
  let step = 0;
  let done = 0;
  while (done < data.count) {
    const indices = order.subarray(done, done + batch);
    await pause?.wait(signal);
    throwIfCancelled(signal, 'Evaluation');
    // A streamed data set decodes the next batch while this one runs.
    prefetch(data, order.subarray(done + indices.length, done + 2 * indices.length));
    let predictions: BatchPredictions;
    try {
      predictions = await predictBatch(runner, await readBatch(data, indices, norm), withTop5);
    } catch (error) {
      // The device ran out of memory: the same images again in smaller batches, from here on.
      if (!isOutOfMemoryError(error)) throw error;
      batch = halveBatch(indices.length, error as Error, `${stage} at image ${done + 1}`, (message) =>
        onProgress?.({ stage, step, total, message, warning: true }),
      );
      total = step + Math.ceil((data.count - done) / batch);
      continue;
    }
    for (let b = 0; b < indices.length; b++) {
      const label = data.labels[indices[b]];
      seen[label]++;
      if (predictions.guesses[b] === label) right[label]++;
      if (counts && predictions.guesses[b] < counts.length) counts[label][predictions.guesses[b]]++;
      if (predictions.inBest5[b]) top5++;
    }
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
  const top1 = right.reduce((a, b) => a + b, 0) / data.count;
  const perClass = data.classNames.map((name, c) => ({ name, images: seen[c], correct: right[c] }));
  return { top1, ...(withTop5 && { top5: top5 / data.count }), perClass, ...(counts && { confusion: counts }) };
}

interface BatchPredictions {
  /** The predicted class of each image. */
  guesses: ArrayLike<number>;
  /** Per image, whether its class is among the 5 highest logits (all false without top-5). */
  inBest5: ArrayLike<number | boolean>;
}

/** One batch in inference mode; the batch and everything made from it are released, also on failure. */
async function predictBatch(runner: ForwardRunner, batch: { x: tf.Tensor; y: tf.Tensor }, withTop5: boolean): Promise<BatchPredictions> {
  try {
    const outputs = await runner.run(batch.x);
    const [predicted, inBest5] = withFreed(outputs, () =>
      tf.tidy(() => {
        const logits = outputs[0] as tf.Tensor2D;
        const labels = tf.cast(tf.argMax(batch.y, 1), 'int32');
        const count = logits.shape[0];
        // Ties go to the lower class index, as argMax breaks them.
        const five = withTop5 ? tf.any(tf.equal(tf.topk(logits, 5).indices, tf.expandDims(labels, 1)), 1) : tf.zeros([count], 'bool');
        return [tf.argMax(logits, 1), five];
      }),
    );
    try {
      const [guesses, fives] = await Promise.all([predicted.data(), inBest5.data()]);
      return { guesses, inBest5: fives };
    } finally {
      tf.dispose([predicted, inBest5]);
    }
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
}

/** `read`'s result; `tensors` are freed after it, also when it throws. */
function withFreed<R>(tensors: tf.Tensor[], read: () => R): R {
  try {
    return read();
  } finally {
    tf.dispose(tensors);
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
