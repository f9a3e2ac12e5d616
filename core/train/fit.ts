import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Augmentation, drawAugmentation } from '../data/augmentation.js';
import { batchIndices, makeBatch } from '../data/batches.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../data/random.js';
import { throwIfCancelled, yieldToEventLoop } from './cancellation.js';
import { type ProgressListener, Throughput } from './progress.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Name of the stage in progress events ("training", "fine-tuning"). */
  stage: string;
  /** Random crops and flips per image (none when absent). */
  augmentation?: Augmentation;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface FitResult {
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
}

/**
 * Mini-batch training with Adam, a cosine learning-rate decay and softmax cross-entropy on the
 * model's logits. Stops only at batch
 * boundaries, so a cancelled run leaves consistent weights.
 */
export async function fit(model: tfl.LayersModel, data: ImageDataset, norm: Normalisation, options: FitOptions): Promise<FitResult> {
  const optimizer = tf.train.adam(options.learningRate);
  const random = seededRandom(options.seed);
  const stepsPerEpoch = Math.ceil(data.count / options.batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const throughput = new Throughput();
  let step = 0;
  let loss = Number.NaN;
  let correct = 0;
  let seen = 0;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      correct = 0;
      seen = 0;
      for (const indices of batchIndices(shuffledIndices(data.count, random), options.batchSize)) {
        throwIfCancelled(options.signal, `${options.stage} at step ${step + 1} of ${totalSteps}`);
        const learningRate = cosineRate(options.learningRate, step, totalSteps);
        (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
        const draws = options.augmentation && Array.from(indices, () => drawAugmentation(options.augmentation!, random));
        const batch = makeBatch(data, indices, norm, draws);
        let hits: tf.Scalar | undefined;
        const cost = optimizer.minimize(() => {
          const logits = model.apply(batch.x, { training: true }) as tf.Tensor2D;
          hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(batch.y, 1)), 'float32')));
          return tf.losses.softmaxCrossEntropy(batch.y, logits) as tf.Scalar;
        }, true)!;
        loss = (await cost.data())[0];
        correct += (await hits!.data())[0];
        seen += batch.size;
        tf.dispose([cost, hits!, batch.x, batch.y]);
        throughput.add(batch.size);
        step++;
        options.onProgress?.({
          stage: options.stage,
          step,
          total: totalSteps,
          message: `epoch ${epoch + 1}/${options.epochs}, loss ${loss.toFixed(3)}`,
          metrics: {
            epoch: epoch + 1,
            loss,
            accuracy: correct / seen,
            learningRate,
            imagesPerSecond: throughput.imagesPerSecond(),
            secondsLeft: throughput.secondsLeft(step, totalSteps),
          },
        });
        await yieldToEventLoop();
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { loss, accuracy: seen ? correct / seen : Number.NaN, imagesPerSecond: throughput.imagesPerSecond() };
}

/** Cosine decay from `base` towards zero over the run (Loshchilov & Hutter, without restarts). */
export function cosineRate(base: number, step: number, totalSteps: number): number {
  return 0.5 * base * (1 + Math.cos((Math.PI * step) / totalSteps));
}
