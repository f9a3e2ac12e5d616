import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Augmentation, drawAugmentation } from '../data/augmentation.js';
import { makeBatch } from '../data/batches.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../data/random.js';
import { throwIfCancelled, yieldToEventLoop } from './cancellation.js';
import { type Distillation, distillationLoss } from './distillation.js';
import { BestWeights, type EarlyStopping } from './early-stopping.js';
import { evaluate } from './evaluate.js';
import type { PauseGate } from './pause-gate.js';
import { type ProgressListener, Throughput } from './progress.js';
import type { ReplicaPort } from './data-parallel/protocol.js';
import { startDataParallel } from './data-parallel/trainer.js';
import { DataParallelError } from './data-parallel/replica-group.js';
import { releaseFailedTape } from '../backend/tfjs-compat/failed-tape.js';
import { saveMovingStatistics } from '../backend/tfjs-compat/moving-statistics.js';
import { DeviceOutOfMemoryError, halveBatch, isOutOfMemoryError } from './out-of-memory.js';
import { loadOptimizerState, type OptimizerState, saveOptimizerState } from './optimizer-state.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Name of the stage in progress events ("training", "fine-tuning"). */
  stage: string;
  /** Random crops and flips per image (none when absent). */
  augmentation?: Augmentation;
  /** Adam (default) or SGD with momentum 0.9, as the CIFAR pruning papers train. */
  optimizer?: 'adam' | 'sgd';
  /** SGD only: Nesterov's momentum (PyTorch's `SGD(nesterov=True)`); off by default. */
  nesterov?: boolean;
  /**
   * Weight decay: `weightDecay * w` is added to the gradient of each weight it applies to before the
   * optimizer step, as PyTorch's `weight_decay` does (for Adam too: L2, not AdamW); 0 by default.
   */
  weightDecay?: number;
  /**
   * The weights weight decay pulls toward zero: every trainable weight, as PyTorch's optimizers given
   * `model.parameters()` (batch-norm scales and shifts and biases included; the default), or conv and
   * dense kernels only.
   */
  weightDecayOn?: 'all' | 'kernels';
  /** Learning-rate decay over the run: cosine (default), step (x0.1 at 50% and 75%) or constant. */
  schedule?: 'cosine' | 'step' | 'constant';
  /**
   * When the schedule moves the rate: after every batch (default), or once per epoch, as a PyTorch
   * scheduler stepped per epoch (`CosineAnnealingLR(T_max=epochs)`: epoch e trains at the rate of e / epochs).
   */
  scheduleEvery?: 'batch' | 'epoch';
  /**
   * Batch norms' moving-average momentum while training, in Keras's convention (new = old * m + batch * (1 - m)):
   * PyTorch's default momentum 0.1 is 0.9 here. Each layer's own when absent; put back after training.
   */
  batchNormMomentum?: number;
  /** Called after every epoch with its index (soft pruning schedules update their gates here). */
  onEpochEnd?: (epoch: number) => void | Promise<void>;
  /**
   * Called after every epoch (after onEpochEnd) with its index, the model holding that epoch's weights,
   * and what else `resume` needs to go on from there.
   */
  onCheckpoint?: (epoch: number, state: FitState) => Promise<void>;
  /** Go on from the end of an earlier run's epoch, as `onCheckpoint` described it. */
  resume?: FitState;
  /** Learn from a teacher's soft predictions as well as the labels. */
  distillation?: Distillation;
  /** Stop when validation accuracy has not improved for `patience` epochs; the best weights are kept. */
  earlyStopping?: EarlyStopping;
  /**
   * Train on several engines at once (data parallelism, one per core): Adam only, without weight decay,
   * distillation or `batchNormMomentum`, and only where nothing else changes the weights between steps.
   */
  parallel?: ParallelTraining;
  signal?: AbortSignal;
  /** Holds the loop between optimizer steps while paused. */
  pause?: PauseGate;
  onProgress?: ProgressListener;
}

/**
 * Where training stands at the end of an epoch besides the weights: epochs done, the random generator's
 * position (shuffles and augmentation draws), and the optimizer's moments. Resuming from it repeats the
 * remaining epochs exactly. Data-parallel training keeps its optimizers in the replicas, so its state has
 * none: a resumed run starts Adam afresh there. Early stopping's best-weights record is not part of it
 * either: after a resume it starts again from the resumed epoch.
 */
export interface FitState {
  epoch: number;
  random: number;
  optimizer?: OptimizerState;
}

export interface ParallelTraining {
  replicas: number;
  spawnReplica: (index: number) => ReplicaPort;
}

export interface FitResult {
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  /** Epochs trained (fewer than asked when early stopping ended the run). */
  epochs: number;
  /** With early stopping: the epoch whose weights the model now holds (0: the starting weights) and its validation accuracy. */
  best?: { epoch: number; validationAccuracy: number };
}

/**
 * Mini-batch training on softmax cross-entropy of the model's logits (Adam or SGD, a learning-rate
 * schedule, optional weight decay). Stops only at batch boundaries, so a cancelled run leaves
 * consistent weights.
 */
export async function fit(model: tfl.LayersModel, data: ImageDataset, norm: Normalisation, options: FitOptions): Promise<FitResult> {
  const optimizer = options.optimizer === 'sgd' ? tf.train.momentum(options.learningRate, 0.9, options.nesterov ?? false) : tf.train.adam(options.learningRate);
  const decay = options.weightDecay ?? 0;
  const decayed = decayedVariables(model, options.weightDecayOn ?? 'all');
  const distillation = options.distillation && options.distillation.weight > 0 ? options.distillation : undefined;
  // Replicas compute plain cross-entropy with Adam; anything else trains on this engine.
  const parallel = options.parallel && options.parallel.replicas > 1 && options.optimizer !== 'sgd' && decay === 0 && !options.onEpochEnd && !distillation && options.batchNormMomentum === undefined;
  // Extra engines are a speed-up, not a requirement: if they cannot start, train here and say why.
  const trainer = parallel
    ? await startDataParallel({ model, data, norm, ...options.parallel! }).catch((error: unknown) => {
        options.onProgress?.({ stage: options.stage, step: 0, total: 0, message: `training on one engine: ${(error as Error).message}` });
        return undefined;
      })
    : undefined;
  const { resume } = options;
  const random = seededRandom(resume ? resume.random : options.seed);
  const stepsPerEpoch = Math.ceil(data.count / options.batchSize);
  let totalSteps = stepsPerEpoch * options.epochs;
  /** Smaller than asked once a batch ran out of device memory. */
  let batchSize = options.batchSize;
  const warn = (message: string) => options.onProgress?.({ stage: options.stage, step, total: totalSteps, message, warning: true });
  /**
   * One optimizer step on this engine; everything it made is released, also when it fails. Only the
   * forward and backward pass may fail with nothing changed (the batch norms' statistics are put back), so
   * only they are retried with a smaller batch: Adam writes the variables one by one, and running out of
   * memory part-way through leaves some updated, which no retry can undo.
   */
  const localStep = async (indices: Int32Array, draws: ReturnType<typeof drawAugmentation>[] | undefined) => {
    let batch: ReturnType<typeof makeBatch> | undefined;
    let statistics: ReturnType<typeof saveMovingStatistics> | undefined;
    let soft: tf.Tensor2D | undefined;
    let hits: tf.Scalar | undefined;
    let computed: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
    try {
      try {
        batch = makeBatch(data, indices, norm, draws);
        statistics = saveMovingStatistics(model);
        const { x, y } = batch;
        // The teacher sees the same (augmented) images, in inference mode.
        soft = distillation && tf.tidy(() => distillation.teacher.apply(x, { training: false }) as tf.Tensor2D);
        computed = optimizer.computeGradients(() => {
          const logits = model.apply(x, { training: true }) as tf.Tensor2D;
          hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32')));
          const loss = soft
            ? distillationLoss(y, logits, soft, distillation!.weight, distillation!.temperature)
            : (tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar);
          return loss;
        });
        if (decay > 0) addWeightDecay(computed.grads, decayed, decay);
      } catch (error) {
        statistics?.restore();
        throw error;
      } finally {
        statistics?.dispose();
        if (batch) tf.dispose([batch.x, batch.y]);
        soft?.dispose();
        releaseFailedTape();
      }
      try {
        optimizer.applyGradients(Object.entries(computed.grads).map(([name, tensor]) => ({ name, tensor })));
      } catch (error) {
        if (!isOutOfMemoryError(error)) throw error;
        throw new DeviceOutOfMemoryError(
          `${options.stage} at step ${step + 1}: memory ran out while the optimizer updated the weights, after some had changed, so the step cannot be retried (${(error as Error).message}).`,
        );
      }
      return { loss: (await computed.value.data())[0], correct: (await hits!.data())[0] };
    } finally {
      if (computed) tf.dispose([computed.value, ...Object.values(computed.grads)]);
      hits?.dispose();
    }
  };
  const throughput = new Throughput();
  const firstEpoch = resume?.epoch ?? 0;
  let step = firstEpoch * stepsPerEpoch;
  let loss = Number.NaN;
  let correct = 0;
  let seen = 0;
  let epochsRun = 0;
  let completed = false;
  const stopping = options.earlyStopping;
  const best = stopping && new BestWeights();
  const validate = async (epoch: number) => {
    if (trainer) await trainer.sync();
    // Only its warnings (a smaller batch) reach the listener: validation is not a stage of its own.
    const onProgress: ProgressListener = (progress) => void (progress.warning && options.onProgress?.(progress));
    const { top1 } = await evaluate(model, stopping!.validation, norm, { signal: options.signal, pause: options.pause, onProgress, forward: stopping!.forward });
    best!.offer(model, top1, epoch);
    return best!.since >= stopping!.patience;
  };
  const momenta = options.batchNormMomentum === undefined ? undefined : setBatchNormMomentum(model, options.batchNormMomentum);
  try {
    if (resume?.optimizer && !trainer) await loadOptimizerState(optimizer, resume.optimizer, model.trainableWeights.map((w) => w.shape as number[]));
    // The starting weights compete too: fine-tuning that only hurts gives the pruned model back unchanged.
    if (best) await validate(firstEpoch);
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      correct = 0;
      seen = 0;
      const order = shuffledIndices(data.count, random);
      for (let start = 0; start < order.length; ) {
        const indices = order.subarray(start, start + batchSize);
        if (options.pause?.paused) {
          // Time spent paused is no training: speed and time left leave it out.
          const held = performance.now();
          await options.pause.wait(options.signal);
          throughput.skip(performance.now() - held);
        }
        throwIfCancelled(options.signal, `${options.stage} at step ${step + 1} of ${totalSteps}`);
        const learningRate =
          options.scheduleEvery === 'epoch'
            ? scheduledRate(options.schedule ?? 'cosine', options.learningRate, epoch, options.epochs)
            : scheduledRate(options.schedule ?? 'cosine', options.learningRate, step, totalSteps);
        setLearningRate(optimizer, learningRate);
        const draws = options.augmentation && Array.from(indices, () => drawAugmentation(options.augmentation!, random));
        try {
          // On replicas, a shard that does not fit changes no replica: the step is retried as here.
          const result = trainer ? await trainer.step(indices, draws, learningRate) : await localStep(indices, draws);
          [loss, correct, seen] = [result.loss, correct + result.correct, seen + indices.length];
        } catch (error) {
          // The device ran out of memory: the same images again in smaller batches, from here on. (A replica
          // whose thread died of it took its weights along: that ends the run.)
          // A step that failed while writing the weights (DeviceOutOfMemoryError) is not retried either.
          if (!isOutOfMemoryError(error) || error instanceof DataParallelError || error instanceof DeviceOutOfMemoryError) throw error;
          batchSize = halveBatch(indices.length, error as Error, `${options.stage} at step ${step + 1}`, warn);
          totalSteps = step + Math.ceil((order.length - start) / batchSize) + (options.epochs - epoch - 1) * Math.ceil(data.count / batchSize);
          continue;
        }
        start += indices.length;
        throughput.add(indices.length);
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
      epochsRun++;
      await options.onEpochEnd?.(epoch);
      if (options.onCheckpoint) {
        if (trainer) await trainer.sync();
        await options.onCheckpoint(epoch, { epoch: epoch + 1, random: random.state, ...(!trainer && { optimizer: await saveOptimizerState(optimizer) }) });
      }
      if (best && (await validate(epoch + 1))) {
        const kept = best!.epoch === 0 ? 'the starting weights' : `epoch ${best!.epoch}`;
        const message = `stopped early after epoch ${epoch + 1}: best validation accuracy ${(best!.accuracy * 100).toFixed(1)}% at ${kept}, kept`;
        options.onProgress?.({ stage: options.stage, step: 0, total: 0, message });
        break;
      }
    }
    completed = true;
  } finally {
    // The last completed step's weights come back to the model, also when cancelled.
    await trainer?.finish();
    momenta?.restore();
    optimizer.dispose();
    // tfjs's momentum optimizer keeps its -learningRate scalar past dispose().
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    if (!completed) best?.dispose();
  }
  const result: FitResult = { loss, accuracy: seen ? correct / seen : Number.NaN, imagesPerSecond: throughput.imagesPerSecond(), epochs: epochsRun };
  if (best) {
    result.best = { epoch: best.epoch, validationAccuracy: best.accuracy };
    best.restore(model);
  }
  return result;
}

/** The variables weight decay applies to, by variable name (the keys of the optimizer's gradients). */
function decayedVariables(model: tfl.LayersModel, on: NonNullable<FitOptions['weightDecayOn']>): Map<string, tf.Variable> {
  const weights = on === 'kernels' ? model.trainableWeights.filter((w) => /kernel$/.test(w.originalName)) : model.trainableWeights;
  return new Map(weights.map((w) => [(w.read() as tf.Variable).name, w.read() as tf.Variable]));
}

/** g += decay * w for every decayed variable with a gradient (PyTorch's `weight_decay`), in place of the old gradients. */
function addWeightDecay(grads: tf.NamedTensorMap, variables: ReadonlyMap<string, tf.Variable>, decay: number): void {
  for (const [name, gradient] of Object.entries(grads)) {
    const variable = variables.get(name);
    if (!variable) continue;
    grads[name] = tf.tidy(() => tf.add(gradient, tf.mul(variable, decay)));
    gradient.dispose();
  }
}

/** Sets every batch norm's momentum; `restore` puts each layer's own back. */
function setBatchNormMomentum(model: tfl.LayersModel, momentum: number): { restore: () => void } {
  const layers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as unknown as { momentum: number }[];
  const saved = layers.map((l) => l.momentum);
  for (const layer of layers) layer.momentum = momentum;
  return { restore: () => layers.forEach((l, i) => (l.momentum = saved[i])) };
}

/** SGD keeps -learningRate as a tensor (setLearningRate renews it); Adam reads a plain field. */
function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const sgd = optimizer as unknown as { setLearningRate?: (rate: number) => void; learningRate: number };
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(rate);
  else sgd.learningRate = rate;
}

export function cosineRate(base: number, step: number, totalSteps: number): number {
  return scheduledRate('cosine', base, step, totalSteps);
}

/** The learning rate at `step`: cosine decay (Loshchilov & Hutter, no restarts), steps of 0.1, or constant. */
export function scheduledRate(schedule: NonNullable<FitOptions['schedule']>, base: number, step: number, totalSteps: number): number {
  const progress = step / totalSteps;
  if (schedule === 'constant') return base;
  if (schedule === 'step') return base * (progress < 0.5 ? 1 : progress < 0.75 ? 0.1 : 0.01);
  return 0.5 * base * (1 + Math.cos(Math.PI * progress));
}
