import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { PruneConfig, TaskProgress } from '../api/contract.js';
import type { ImageDataset } from '../data/image-dataset.js';
import { splitValidation } from '../data/splits.js';
import type { ImportanceCriterion } from '../importance/criterion.js';
import { checkDistillation } from '../train/distillation.js';
import type { EarlyStopping } from '../train/early-stopping.js';
import type { FitResult } from '../train/fit.js';
import { checkpointFolder, checkpointSaver } from './checkpoints.js';
import type { RunHost } from './run-inputs.js';

/** How a run's training choices (distillation, early stopping, checkpoints) become fit options. */

export const DEFAULT_VALIDATION_SHARE = 0.1;

export class TrainingSettingsError extends Error {
  override name = 'TrainingSettingsError';
}

/** The optimizer recipe of a run (optimizer, decay, schedule, momentum) as fit options: baseline training and fine-tuning alike. */
export function recipeOptions(config: PruneConfig) {
  return {
    optimizer: config.optimizer,
    weightDecay: config.weightDecay,
    schedule: config.lrSchedule,
    nesterov: config.nesterov,
    weightDecayOn: config.weightDecayOn,
    scheduleEvery: config.lrScheduleEvery,
    batchNormMomentum: config.batchNormMomentum,
  };
}

/** The distillation settings if distillation is on (weight above 0), checked. */
export function distillationFor(config: Pick<PruneConfig, 'distillation'>): { weight: number; temperature: number } | undefined {
  if (!config.distillation || config.distillation.weight === 0) return undefined;
  const { weight, temperature } = config.distillation;
  checkDistillation(weight, temperature);
  return { weight, temperature };
}

/** With early stopping, a stratified, seeded share of the training images becomes its validation set. */
export function splitForEarlyStopping(
  train: ImageDataset,
  config: Pick<PruneConfig, 'earlyStopping' | 'validationShare' | 'seed'>,
): { train: ImageDataset; earlyStopping?: EarlyStopping } {
  if (!config.earlyStopping) return { train };
  const { patience } = config.earlyStopping;
  if (!(Number.isInteger(patience) && patience >= 1))
    throw new TrainingSettingsError(`Early stopping needs a patience of 1 or more whole epochs, got ${patience}`);
  const share = config.validationShare ?? DEFAULT_VALIDATION_SHARE;
  if (!(share > 0 && share < 1)) throw new TrainingSettingsError(`The validation share must be between 0 and 1, got ${share}`);
  const split = splitValidation(train, share, config.seed + 11);
  if (split.validation.count === 0)
    throw new TrainingSettingsError(`A validation share of ${share} of ${train.count} training images leaves no images to validate on`);
  return { train: split.train, earlyStopping: { validation: split.validation, patience } };
}

/**
 * Checkpoint hooks for fit, one folder per stage, when the config names a checkpoint folder. Fails now,
 * before any training, if the host cannot write files.
 */
export function stageCheckpoints(config: Pick<PruneConfig, 'checkpointDir'>, host: RunHost) {
  const { checkpointDir } = config;
  if (!checkpointDir) return undefined;
  const { writeFiles } = host;
  if (!writeFiles) throw new TrainingSettingsError('This engine host cannot write files, so it cannot save checkpoints.');
  return (model: tfl.LayersModel, stage: string, epochs: number) => {
    const save = checkpointSaver(checkpointFolder(checkpointDir, stage), writeFiles);
    return async (epoch: number) => void (await save(model, { stage, epoch: epoch + 1, epochs }));
  };
}

/** An independent copy of a model (same topology, copied weights). */
export async function cloneModel(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  const topology = model.toJSON(null, false) as unknown as tf.io.ModelJSON['modelTopology'];
  const copy = await tfl.models.modelFromJSON({ modelTopology: topology });
  copy.setWeights(model.getWeights());
  return copy;
}

/**
 * The criterion, reporting each scoring pass as a step of the 'scoring' stage: one pass for one-shot,
 * one per step (iterative), one per gate update (continuous, T_p + 1).
 */
export function countingScores(
  criterion: ImportanceCriterion,
  config: Pick<PruneConfig, 'schedule' | 'scheduleSteps' | 'softEpochs'>,
  onProgress: ((progress: TaskProgress) => void) | undefined,
): ImportanceCriterion {
  const total = config.schedule === 'iterative' ? config.scheduleSteps : config.schedule === 'continuous' ? config.softEpochs + 1 : 1;
  let done = 0;
  const report = () => onProgress?.({ stage: 'scoring', step: done, total, message: `${criterion.label}: ${done} of ${total} passes` });
  return {
    ...criterion,
    async scoreGroups(context) {
      if (done === 0) report();
      // Backing off to fewer images at a time after running out of memory is said at once, as a task-warning.
      const onWarning = (message: string) => onProgress?.({ stage: 'scoring', step: done, total, message, warning: true });
      const scores = await criterion.scoreGroups({ onWarning, ...context });
      done++;
      report();
      return scores;
    },
  };
}

/** What a user reads when early stopping ended a training stage: which epoch it stopped after, and whose weights it kept. */
export function stoppedEarlyNote(stage: string, result: FitResult, planned: number): string | undefined {
  if (result.stoppedAfter === undefined || !result.best) return undefined;
  const kept = result.best.epoch === 0 ? 'the weights it started from' : `the weights of epoch ${result.best.epoch}`;
  return (
    `${stage} stopped early after epoch ${result.stoppedAfter} of ${planned}: validation accuracy had stopped improving, ` +
    `so ${kept} (validation ${(result.best.validationAccuracy * 100).toFixed(1)}%) were kept`
  );
}
