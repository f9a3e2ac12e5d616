import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_DEMO_OPTIONS, type PruneConfig } from '../api/contract.js';
import { demoConfig } from '../session/demo.js';
import { inputOptionsFrom, type InputFlags } from './cli-input-flags.js';
import { projectRunDefaults } from './cli-project.js';

export interface PruneFlags extends InputFlags {
  demo?: boolean;
  model?: string;
  data?: string;
  criterion?: string;
  targetFlops?: number;
  targetParams?: number;
  reduction?: number;
  ranking?: string;
  sensitivityRatios?: number[];
  sensitivityImages?: number;
  protect?: number;
  roundTo?: number;
  layerRatio?: Record<string, number>;
  epochs?: number;
  fineTuneEpochs?: number;
  batchSize?: number;
  lr?: number;
  calibrationBatches?: number;
  schedule?: string;
  scheduleSteps?: number;
  softEpochs?: number;
  scheduleMask?: string;
  scheduleRamp?: string;
  seed?: number;
  sample?: { train: number; test: number };
  optimizer?: string;
  weightDecay?: number;
  lrSchedule?: string;
  distillWeight?: number;
  distillTemperature?: number;
  patience?: number;
  validationShare?: number;
  checkpointDir?: string;
  export?: string;
  format?: string;
  config?: string;
  project?: string;
  sessionName?: string;
  json?: boolean;
}

/** Hinton et al.'s range is 2-20; 4 is a common choice for CIFAR-sized models. */
export const DEFAULT_DISTILL_TEMPERATURE = 4;

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

/** Flags, a config file and the demo preset, merged into one PruneConfig (command-line flags win). */
export async function pruneConfigFrom(flags: PruneFlags): Promise<Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>> {
  const file = flags.config ? await readConfigFile(flags.config) : {};
  const reduction = flags.targetFlops ?? flags.reduction;
  const base = flags.demo
    ? demoConfig({ ...DEFAULT_DEMO_OPTIONS, seed: flags.seed ?? DEFAULT_DEMO_OPTIONS.seed, flopsReduction: reduction ?? DEFAULT_DEMO_OPTIONS.flopsReduction, trainEpochs: flags.epochs ?? DEFAULT_DEMO_OPTIONS.trainEpochs, fineTuneEpochs: flags.fineTuneEpochs ?? DEFAULT_DEMO_OPTIONS.fineTuneEpochs })
    : {};
  const config: Partial<PruneConfig> = {
    ...file,
    ...base,
    ...(flags.model && { model: flags.model }),
    ...(flags.data && { data: flags.data }),
    ...defined({
      criterion: flags.criterion,
      ranking: oneOf('--ranking', flags.ranking, ['global', 'uniform', 'sensitivity'] as const),
      sensitivityRatios: flags.sensitivityRatios,
      sensitivityImages: flags.sensitivityImages,
      protect: flags.protect,
      roundTo: flags.roundTo,
      layerRatios: flags.layerRatio && Object.keys(flags.layerRatio).length ? flags.layerRatio : undefined,
      batchSize: flags.batchSize,
      learningRate: flags.lr,
      calibrationBatches: flags.calibrationBatches,
      schedule: oneOf('--schedule', flags.schedule, ['one-shot', 'iterative', 'continuous'] as const),
      scheduleSteps: flags.scheduleSteps,
      softEpochs: flags.softEpochs,
      scheduleMask: oneOf('--schedule-mask', flags.scheduleMask, ['soft', 'hard'] as const),
      scheduleRamp: oneOf('--schedule-ramp', flags.scheduleRamp, ['cubic', 'constant'] as const),
      seed: flags.seed,
      sample: flags.sample,
      optimizer: oneOf('--optimizer', flags.optimizer, ['adam', 'sgd'] as const),
      weightDecay: flags.weightDecay,
      lrSchedule: oneOf('--lr-schedule', flags.lrSchedule, ['cosine', 'step', 'constant'] as const),
      distillation: distillationFrom(flags, file.distillation),
      earlyStopping: flags.patience === undefined ? undefined : { patience: flags.patience },
      validationShare: flags.validationShare,
      checkpointDir: flags.checkpointDir,
      input: inputOptionsFrom(flags),
    }),
    ...(flags.targetParams !== undefined
      ? { target: { metric: 'params', reduction: flags.targetParams } }
      : reduction !== undefined && { target: { metric: 'flops', reduction } }),
    ...(flags.epochs !== undefined && { trainEpochs: flags.epochs }),
    ...(flags.fineTuneEpochs !== undefined && { fineTuneEpochs: flags.fineTuneEpochs }),
    ...(flags.export && { export: { path: flags.export, format: exportFormat(flags.format ?? 'tfjs') } }),
    ...(flags.sessionName && { sessionName: flags.sessionName }),
  };
  // A project lends its baseline and data set to the sessions after its first.
  if (flags.project) Object.assign(config, { project: resolve(flags.project) }, await projectRunDefaults(flags.project, config));
  if (!config.model || !config.data) throw new InvalidArgumentError('prune needs --model and --data (or --demo, a --config file that names both, or an existing --project)');
  return config as Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>;
}

/** The distillation flags over the config file's settings; a temperature alone turns nothing on. */
function distillationFrom(flags: PruneFlags, file: PruneConfig['distillation']): PruneConfig['distillation'] {
  if (flags.distillWeight === undefined && flags.distillTemperature === undefined) return undefined;
  const weight = flags.distillWeight ?? file?.weight;
  if (weight === undefined) throw new InvalidArgumentError('--distill-temperature needs --distill-weight (the share of the loss that comes from the unpruned model)');
  return { weight, temperature: flags.distillTemperature ?? file?.temperature ?? DEFAULT_DISTILL_TEMPERATURE };
}

/** A flag's value checked against its choices (undefined when the flag is absent). */
function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined || (choices as readonly string[]).includes(value)) return value as T | undefined;
  throw new InvalidArgumentError(`${flag} must be ${choices.join(', ')}, not '${value}'`);
}

/** Only the options actually given, so they do not hide the config file's values. */
function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function exportFormat(format: string): NonNullable<PruneConfig['export']>['format'] {
  if (format === 'tfjs' || format === 'keras-h5' || format === 'keras') return format;
  throw new InvalidArgumentError(`--format must be tfjs, keras-h5 or keras, not '${format}'`);
}

async function readConfigFile(path: string): Promise<Partial<PruneConfig>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Partial<PruneConfig>;
  } catch (error) {
    throw new ConfigFileError(`Cannot use config file ${path}: ${(error as Error).message}`);
  }
}
