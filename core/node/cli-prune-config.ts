import { readRegularFile } from './read-file.js';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_DEMO_OPTIONS, type PruneConfig } from '../api/contract.js';
import { fallback, MODEL_EXPORT_FORMATS } from '../api/run-options.js';
import { runOptionsFromFlags } from './cli-run-flags.js';
import { demoConfig } from '../session/demo.js';
import { inputOptionsFrom, readClassNamesFile, type InputFlags } from './cli-input-flags.js';
import { projectRunDefaults } from './cli-project.js';

/** What commander hands over: the run options' own flags (cli-run-flags.ts) and the composite ones below. */
export interface PruneFlags extends InputFlags {
  demo?: boolean;
  model?: string;
  data?: string;
  targetFlops?: number;
  targetParams?: number;
  reduction?: number;
  layerRatio?: Record<string, number>;
  epochs?: number;
  fineTuneEpochs?: number;
  seed?: number;
  sample?: { train: number; test: number };
  distillWeight?: number;
  distillTemperature?: number;
  patience?: number;
  cip?: NonNullable<PruneConfig['cip']>;
  export?: string;
  format?: string;
  overwrite?: boolean;
  fitInput?: boolean;
  config?: string;
  project?: string;
  json?: boolean;
  /** The flags of the run options that are one plain value, by commander's attribute names. */
  [flag: string]: unknown;
}

/** Hinton et al.'s range is 2-20; 4 is a common choice for CIFAR-sized models. */
export const DEFAULT_DISTILL_TEMPERATURE = fallback('distillation').temperature;

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

/** Flags, a config file and the demo preset, merged into one PruneConfig (command-line flags win). */
export async function pruneConfigFrom(flags: PruneFlags): Promise<Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>> {
  const file = flags.config ? await readConfigFile(flags.config) : {};
  const reduction = flags.targetFlops ?? flags.reduction;
  const base = flags.demo
    ? demoConfig({
        ...DEFAULT_DEMO_OPTIONS,
        seed: flags.seed ?? DEFAULT_DEMO_OPTIONS.seed,
        flopsReduction: reduction ?? DEFAULT_DEMO_OPTIONS.flopsReduction,
        trainEpochs: flags.epochs ?? DEFAULT_DEMO_OPTIONS.trainEpochs,
        fineTuneEpochs: flags.fineTuneEpochs ?? DEFAULT_DEMO_OPTIONS.fineTuneEpochs,
      })
    : {};
  const config: Partial<PruneConfig> = {
    ...file,
    ...base,
    ...(flags.model && { model: flags.model }),
    ...(flags.data && { data: flags.data }),
    ...runOptionsFromFlags(flags),
    ...defined({
      layerRatios: flags.layerRatio && Object.keys(flags.layerRatio).length ? flags.layerRatio : undefined,
      sample: flags.sample,
      distillation: distillationFrom(flags, file.distillation),
      earlyStopping: flags.patience === undefined ? undefined : { patience: flags.patience },
      cip: flags.cip && { ...file.cip, ...flags.cip },
      input: inputOptionsFrom(flags),
      classNames: flags.classNamesFile ? await readClassNamesFile(flags.classNamesFile) : undefined,
    }),
    ...(flags.targetParams !== undefined
      ? { target: { metric: 'params', reduction: flags.targetParams } }
      : reduction !== undefined && { target: { metric: 'flops', reduction } }),
    ...(flags.export && { export: { path: flags.export, format: exportFormat(flags.format ?? 'tfjs'), ...(flags.overwrite && { overwrite: true }) } }),
    ...(flags.fitInput && { fitInput: true }),
  };
  // A project lends its baseline and data set to the sessions after its first.
  if (flags.project) Object.assign(config, { project: resolve(flags.project) }, await projectRunDefaults(flags.project, config));
  if (!config.model || !config.data)
    throw new InvalidArgumentError('prune needs --model and --data (or --demo, a --config file that names both, or an existing --project)');
  return config as Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>;
}

const CIP_NUMBERS = ['alpha', 'beta', 'tau'] as const;
const CIP_SWITCHES = ['sigmoid', 'rowNormalisation', 'groupKernel', 'writerSpread', 'kernelWidths', 'unitStatistic'] as const;

/** `--cip alpha=0,beta=0.5,sigmoid=off`: CIP's switches (the engine checks their ranges, as for a config file). */
export function cipSwitches(value: string, previous: NonNullable<PruneConfig['cip']> = {}): NonNullable<PruneConfig['cip']> {
  const switches: Record<string, number | boolean> = { ...previous };
  for (const part of value.split(',').filter(Boolean)) {
    const [name = '', text = ''] = part.split('=').map((t) => t.trim());
    if ((CIP_NUMBERS as readonly string[]).includes(name) && text !== '' && Number.isFinite(Number(text))) switches[name] = Number(text);
    else if ((CIP_SWITCHES as readonly string[]).includes(name) && /^(on|off|true|false)$/.test(text)) switches[name] = text === 'on' || text === 'true';
    else
      throw new InvalidArgumentError(
        `'${part}': expected name=value pairs of ${CIP_NUMBERS.join(', ')} (numbers) and ${CIP_SWITCHES.join(', ')} (on or off), e.g. alpha=0,sigmoid=off`,
      );
  }
  return switches;
}

/** The distillation flags over the config file's settings; a temperature alone turns nothing on. */
function distillationFrom(flags: PruneFlags, file: PruneConfig['distillation']): PruneConfig['distillation'] {
  if (flags.distillWeight === undefined && flags.distillTemperature === undefined) return undefined;
  const weight = flags.distillWeight ?? file?.weight;
  if (weight === undefined)
    throw new InvalidArgumentError('--distill-temperature needs --distill-weight (the share of the loss that comes from the unpruned model)');
  return { weight, temperature: flags.distillTemperature ?? file?.temperature ?? DEFAULT_DISTILL_TEMPERATURE };
}

/** Only the options actually given, so they do not hide the config file's values. */
function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function exportFormat(format: string): NonNullable<PruneConfig['export']>['format'] {
  if ((MODEL_EXPORT_FORMATS as readonly string[]).includes(format)) return format as NonNullable<PruneConfig['export']>['format'];
  throw new InvalidArgumentError(`--format must be ${MODEL_EXPORT_FORMATS.join(', ')}, not '${format}'`);
}

/** A JSON object of run options; the engine checks its values as it checks every door's (run-options.ts). */
async function readConfigFile(path: string): Promise<Partial<PruneConfig>> {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(await readRegularFile(path)));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Partial<PruneConfig>;
  } catch (error) {
    throw new ConfigFileError(`Cannot use config file ${path}: ${(error as Error).message}`);
  }
}
