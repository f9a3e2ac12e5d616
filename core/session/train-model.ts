import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../api/contract.js';
import { defaultAugmentation } from '../data/augmentation.js';
import { type ExportFormat, exportModel } from '../models/io/export-model.js';
import { CancelledError } from '../train/cancellation.js';
import { evaluate } from '../train/evaluate.js';
import { fit, type ParallelTraining } from '../train/fit.js';
import type { ProgressListener } from '../train/progress.js';
import { loadRunInputs, type RunHost, trainingEnginesFor } from './run-inputs.js';
import { resolveRunInput } from './run-input.js';
import { recipeOptions } from './training-options.js';

export type TrainRequest = Pick<PruneConfig, 'model' | 'data'> &
  Partial<
    Pick<
      PruneConfig,
      | 'batchSize'
      | 'learningRate'
      | 'seed'
      | 'optimizer'
      | 'weightDecay'
      | 'lrSchedule'
      | 'nesterov'
      | 'weightDecayOn'
      | 'lrScheduleEvery'
      | 'batchNormMomentum'
    >
  > & {
    epochs: number;
    out: string;
    format?: ExportFormat;
  };

export interface TrainOutcome {
  model: string;
  dataset: string;
  /** Epochs asked for and epochs finished (fewer when cancelled). */
  epochs: number;
  epochsDone: number;
  cancelled: boolean;
  /** Test accuracy of the saved model; absent when cancelled (the model is saved as it stood). */
  accuracy?: number;
  top5?: number;
  seconds: number;
  files: string[];
}

export class TrainHostError extends Error {
  override name = 'TrainHostError';
}

/**
 * Trains a model from scratch (or a model file further) the way a pruning run trains its baseline, and saves
 * it. A cancel stops at the next batch and still saves the weights of the last finished step, so an hour of
 * training is not lost; the outcome says it was cancelled.
 */
export async function trainModel(
  request: TrainRequest,
  context: RunHost & { backend: string; signal?: AbortSignal; onProgress?: ProgressListener; trainingReplicas?: ParallelTraining },
): Promise<TrainOutcome> {
  const started = performance.now();
  if (!context.writeFiles) throw new TrainHostError('This engine host cannot write files, so it cannot save the trained model.');
  // Where the model will go is checked before the training, not after it.
  await context.checkWrite?.(request.out, 'folder');
  const config = { ...DEFAULT_PRUNE_CONFIG, ...request };
  const { data, model } = await loadRunInputs(config, context);
  try {
    const { norm } = await resolveRunInput(config, data.train, model, context);
    let cancelled = false;
    let epochsDone = 0;
    try {
      const fitted = await fit(model, data.train, norm, {
        epochs: request.epochs,
        batchSize: config.batchSize,
        learningRate: config.learningRate,
        seed: config.seed,
        stage: 'training',
        augmentation: defaultAugmentation(data.imageKind),
        ...recipeOptions(config),
        parallel: trainingEnginesFor(config, context),
        signal: context.signal,
        onProgress: context.onProgress,
        onEpochEnd: undefined,
      });
      epochsDone = fitted.epochs;
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error;
      cancelled = true;
    }
    const measured = cancelled ? undefined : await evaluate(model, data.test, norm, { onProgress: context.onProgress });
    const files = await context.writeFiles(request.out, await exportModel(model, request.format ?? 'tfjs'));
    return {
      model: request.model,
      dataset: `${data.label}: ${data.train.count} training, ${data.test.count} test images`,
      epochs: request.epochs,
      epochsDone,
      cancelled,
      ...(measured && { accuracy: measured.top1, ...(measured.top5 !== undefined && { top5: measured.top5 }) }),
      seconds: (performance.now() - started) / 1000,
      files,
    };
  } finally {
    model.dispose();
  }
}
