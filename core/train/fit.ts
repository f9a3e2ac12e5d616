import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Augmentation, drawAugmentation } from '../data/augmentation.js';
import type { makeBatch } from '../data/batches.js';
import { prefetch, readBatch } from '../data/streaming/read-batch.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../data/random.js';
import { throwIfCancelled, yieldToEventLoop } from './cancellation.js';
import type { Distillation } from './distillation.js';
import { BestWeights, type EarlyStopping } from './early-stopping.js';
import { evaluate } from './evaluate.js';
import type { PauseGate } from './pause-gate.js';
import { type ProgressListener, Throughput } from './progress.js';
import type { ReplicaPort } from './data-parallel/protocol.js';
import { startDataParallel } from './data-parallel/trainer.js';
import type { TrainingGates } from './gated-variables.js';
import { DataParallelError } from './data-parallel/replica-group.js';
import { releaseFailedTape } from '../backend/tfjs-compat/failed-tape.js';
import { saveMovingStatistics } from '../backend/tfjs-compat/moving-statistics.js';
import { DeviceOutOfMemoryError, halveBatch, isOutOfMemoryError } from './out-of-memory.js';
import { loadOptimizerState, type OptimizerState, saveOptimizerState } from './optimizer-state.js';
import { OptimizerUpdate, type OptimizerSettings, setBatchNormMomentum } from './optimizer-update.js';
import { teacherLogits, trainingLoss } from './training-loss.js';

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
   * Train on several engines at once (data parallelism, one per core), with every option above: the
   * replicas take fit's own optimizer step and loss. Only the caller must not change the model's weights
   * between steps (onProgress): `onEpochEnd` may, the replicas get them back after it.
   */
  parallel?: ParallelTraining;
  /** Soft gates (a continuous pruning schedule): folded after every step here, or on every replica. */
  gates?: TrainingGates;
  signal?: AbortSignal;
  /** Holds the loop between optimizer steps while paused. */
  pause?: PauseGate;
  onProgress?: ProgressListener;
}

/**
 * Where training stands at the end of an epoch besides the weights: epochs done, the random generator's
 * position (shuffles and augmentation draws), and the optimizer's moments (read from a replica when training
 * ran data-parallel; either kind of run resumes from either's state). Resuming from it repeats the
 * remaining epochs exactly. Early stopping's best-weights record is not part of it: after a resume it
 * starts again from the resumed epoch.
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
  /** Engines that trained: 1, or the number of data-parallel replicas. */
  engines: number;
  /** With early stopping: the epoch whose weights the model now holds (0: the starting weights) and its validation accuracy. */
  best?: { epoch: number; validationAccuracy: number };
  /** The epoch (1-based, counted from the stage's start) after which early stopping ended the stage, when it did. */
  stoppedAfter?: number;
}

/** Batches of a streamed data set read ahead of the one training. */
const PREFETCH_BATCHES = 2;

/**
 * Mini-batch training on softmax cross-entropy of the model's logits (Adam or SGD, a learning-rate
 * schedule, optional weight decay). Stops only at batch boundaries, so a cancelled run leaves
 * consistent weights.
 */
export async function fit(model: tfl.LayersModel, data: ImageDataset, norm: Normalisation, options: FitOptions): Promise<FitResult> {
  const settings: OptimizerSettings = {
    optimizer: options.optimizer ?? 'adam',
    learningRate: options.learningRate,
    nesterov: options.nesterov ?? false,
    weightDecay: options.weightDecay ?? 0,
    weightDecayOn: options.weightDecayOn ?? 'all',
  };
  const update = new OptimizerUpdate(model, settings);
  const { optimizer } = update;
  const distillation = options.distillation && options.distillation.weight > 0 ? options.distillation : undefined;
  const { resume } = options;
  const parallel = options.parallel && options.parallel.replicas > 1 ? options.parallel : undefined;
  // Extra engines are a speed-up, not a requirement: if they cannot start, train here and say why.
  const trainer = parallel
    ? await startDataParallel({
        model,
        data,
        norm,
        ...parallel,
        optimizer: settings,
        batchNormMomentum: options.batchNormMomentum,
        distillation,
        optimizerState: resume?.optimizer,
        gates: options.gates?.state(),
      }).catch((error: unknown) => {
        options.onProgress?.({ stage: options.stage, step: 0, total: 0, message: `${options.stage} on one engine: ${(error as Error).message}` });
        return undefined;
      })
    : undefined;
  const engines = trainer?.replicas ?? 1;
  /** The replicas' weights into the model, and the free values of gated weights into the gates. */
  const fromReplicas = async () => {
    if (!trainer) return;
    const { free } = await trainer.sync();
    if (free) options.gates?.adopt(free);
  };
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
  const localStep = async (indices: Int32Array, draws: ReturnType<typeof drawAugmentation>[] | undefined, learningRate: number) => {
    let batch: ReturnType<typeof makeBatch> | undefined;
    let statistics: ReturnType<typeof saveMovingStatistics> | undefined;
    let soft: tf.Tensor2D | undefined;
    let hits: tf.Scalar | undefined;
    let computed: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
    try {
      try {
        batch = await readBatch(data, indices, norm, draws);
        statistics = saveMovingStatistics(model);
        const { x, y } = batch;
        // The teacher sees the same (augmented) images, in inference mode.
        soft = distillation && teacherLogits(distillation.teacher, x);
        const targets = soft && { logits: soft, weight: distillation!.weight, temperature: distillation!.temperature };
        computed = tf.variableGrads(() => {
          const out = trainingLoss(model, x, y, targets);
          hits = out.hits;
          return out.loss;
        }, update.variables);
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
        update.apply(computed.grads, learningRate);
        options.gates?.sync();
      } catch (error) {
        if (!isOutOfMemoryError(error)) throw error;
        throw new DeviceOutOfMemoryError(
          `${options.stage} at step ${step + 1}: memory ran out while the optimizer updated the ` +
            `weights, after some had changed, so the step cannot be retried (${(error as Error).message}).`,
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
  let stoppedAfter: number | undefined;
  let completed = false;
  const stopping = options.earlyStopping;
  const best = stopping && new BestWeights();
  const validate = async (epoch: number) => {
    await fromReplicas();
    // Only its warnings (a smaller batch) reach the listener: validation is not a stage of its own.
    const onProgress: ProgressListener = (progress) => void (progress.warning && options.onProgress?.(progress));
    const { top1 } = await evaluate(model, stopping!.validation, norm, {
      signal: options.signal,
      pause: options.pause,
      onProgress,
      forward: stopping!.forward,
    });
    // The held-out accuracy, for the Run screen's chart beside the training accuracy (and the session's record).
    options.onProgress?.({
      stage: options.stage,
      step,
      total: totalSteps,
      message: `${epoch === 0 ? 'before training' : `epoch ${epoch}/${options.epochs}`}, held-out accuracy ${(top1 * 100).toFixed(1)}%`,
      metrics: {
        epoch,
        validationAccuracy: top1,
        ...(step > 0 && { imagesPerSecond: throughput.imagesPerSecond(), secondsLeft: throughput.secondsLeft(step, totalSteps) }),
      },
    });
    best!.offer(model, top1, epoch);
    return best!.since >= stopping!.patience;
  };
  const momenta = options.batchNormMomentum === undefined ? undefined : setBatchNormMomentum(model, options.batchNormMomentum);
  try {
    if (resume?.optimizer && !trainer)
      await loadOptimizerState(
        optimizer,
        resume.optimizer,
        model.trainableWeights.map((w) => w.shape as number[]),
      );
    // The starting weights compete too: fine-tuning that only hurts gives the pruned model back unchanged.
    if (best) await validate(firstEpoch);
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      correct = 0;
      seen = 0;
      const order = shuffledIndices(data.count, random);
      for (let start = 0; start < order.length;) {
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
        const draws = options.augmentation && Array.from(indices, () => drawAugmentation(options.augmentation!, random));
        // A streamed data set decodes the next batches while this one trains.
        prefetch(data, order.subarray(start + indices.length, start + indices.length * (1 + PREFETCH_BATCHES)));
        try {
          // On replicas, a shard that does not fit changes no replica: the step is retried as here.
          const result = trainer ? await trainer.step(indices, draws, learningRate) : await localStep(indices, draws, learningRate);
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
          message: `epoch ${epoch + 1}/${options.epochs}, loss ${loss.toFixed(3)}${engines > 1 ? `, ${engines} engines` : ''}`,
          metrics: {
            engines,
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
      if (options.onEpochEnd) {
        // The hook sees (and may change) this epoch's weights; the replicas go on from what it leaves.
        await fromReplicas();
        await options.onEpochEnd(epoch);
        if (trainer) await trainer.push(options.gates?.state());
      }
      if (options.onCheckpoint) {
        await fromReplicas();
        const state = trainer ? await trainer.readOptimizer() : await saveOptimizerState(optimizer);
        await options.onCheckpoint(epoch, { epoch: epoch + 1, random: random.state, optimizer: state });
      }
      if (best && (await validate(epoch + 1))) {
        const kept = best!.epoch === 0 ? 'the starting weights' : `epoch ${best!.epoch}`;
        const message = `stopped early after epoch ${epoch + 1}: best validation accuracy ${(best!.accuracy * 100).toFixed(1)}% at ${kept}, kept`;
        options.onProgress?.({ stage: options.stage, step: 0, total: 0, message });
        stoppedAfter = epoch + 1;
        break;
      }
    }
    completed = true;
  } finally {
    // The last completed step's weights come back to the model, also when cancelled.
    const last = await trainer?.finish();
    if (last?.free) options.gates?.adopt(last.free);
    momenta?.restore();
    update.dispose();
    if (!completed) best?.dispose();
  }
  const result: FitResult = { loss, accuracy: seen ? correct / seen : Number.NaN, imagesPerSecond: throughput.imagesPerSecond(), epochs: epochsRun, engines };
  if (best) {
    result.best = { epoch: best.epoch, validationAccuracy: best.accuracy };
    if (stoppedAfter !== undefined) result.stoppedAfter = stoppedAfter;
    best.restore(model);
  }
  return result;
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
