import type * as tfl from '@tensorflow/tfjs-layers';
import type { PruneConfig } from '../api/contract.js';

import { likelyPermutation, type ClassPermutation } from '../data/class-permutation.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../data/image-dataset.js';
import { sampleStratified } from '../data/splits.js';
import { statisticsSample } from '../data/streaming/statistics-sample.js';
import {
  contractNormalisation,
  describeContract,
  InputContractError,
  modelInputContract,
  presetContract,
  rememberInputContract,
  type InputContract,
  type InputPreset,
  optionsContract,
} from '../models/input-contract.js';
import { MODEL_ZOO } from '../models/zoo.js';
import { evaluate } from '../train/evaluate.js';
import type { ProgressListener } from '../train/progress.js';

/** Images scored per preset when the file does not say how the model expects its inputs. */
export const CALIBRATION_IMAGES = 500;

export interface PresetScore {
  preset: InputPreset;
  accuracy: number;
}

export interface RunInput {
  contract: InputContract;
  norm: Normalisation;
  /** Accuracy on the calibration sample under each preset tried, best first (only when detected). */
  scores?: PresetScore[];
  /** One line for the run's output and warnings. */
  message: string;
}

/**
 * How this run feeds the model: the user's choice (config.input), else what the model file says (Teachable Machine
 * metadata, a project's stored baseline), else for a built-in model trained here the data set's own statistics,
 * else detected: the model is scored on a calibration sample under each preset, the best wins, and a best near
 * chance stops the run (wrong data set, class order or preprocessing). The result stays with the model object, so a
 * project stores it with its baseline.
 */
export async function resolveRunInput(
  config: Pick<PruneConfig, 'model' | 'input' | 'classNames'> & { trainEpochs?: number },
  train: ImageDataset,
  model: tfl.LayersModel,
  options: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<RunInput> {
  const held = await statisticsSample(train);
  const stats = () => channelStatistics(held);
  const fromFile = modelInputContract(model);
  const keep = (contract: InputContract): InputContract => ({
    ...contract,
    labels: contract.labels ?? fromFile?.labels,
    size: contract.size ?? fromFile?.size,
  });
  // The user's class names join whichever contract feeds the model, so a project stores them with its baseline.
  const named = (contract: InputContract): InputContract => (config.classNames ? { ...contract, labels: config.classNames } : contract);
  let contract: InputContract | undefined;
  if (config.input) contract = keep({ ...optionsContract(config.input), source: 'user' });
  else if (fromFile) contract = fromFile;
  else if (MODEL_ZOO.some((e) => e.id === config.model)) contract = presetContract('dataset-stats', 'default');
  if (contract) {
    contract = named(contract);
    const norm = contractNormalisation(contract, train.channels, stats);
    if (contract.preset === 'dataset-stats') contract = { ...contract, mean: norm.mean, std: norm.std };
    rememberInputContract(model, contract);
    return { contract, norm, message: `input: ${describeContract(contract)}` };
  }
  // A model trained here first need not score well yet: near chance it trains from the data set's statistics.
  const detected = await detectInput(train, model, stats, { ...options, refuse: !config.trainEpochs });
  if (!config.classNames) return detected;
  rememberInputContract(model, named(detected.contract));
  return { ...detected, contract: named(detected.contract) };
}

async function detectInput(
  train: ImageDataset,
  model: tfl.LayersModel,
  stats: () => Normalisation,
  { signal, onProgress, refuse }: { signal?: AbortSignal; onProgress?: ProgressListener; refuse: boolean },
): Promise<RunInput> {
  const sample = sampleStratified(train, CALIBRATION_IMAGES, 1);
  // The ImageNet presets have three channel means: they apply to colour images only.
  const presets: InputPreset[] = ['dataset-stats', 'unit', 'tf', 'raw', ...(train.channels === 3 ? (['imagenet', 'caffe'] as const) : [])];
  const scores: PresetScore[] = [];
  const confusions = new Map<InputPreset, number[][]>();
  for (const [i, preset] of presets.entries()) {
    onProgress?.({ stage: 'input', step: i, total: presets.length, message: `Trying input preset '${preset}' on ${sample.count} images` });
    const norm = contractNormalisation(presetContract(preset), train.channels, stats);
    const result = await evaluate(model, sample, norm, { signal, stage: 'input', batchSize: 100, confusion: true });
    scores.push({ preset, accuracy: result.top1 });
    if (result.confusion) confusions.set(preset, result.confusion);
  }
  // Stable: on a tie the earlier (more common) preset wins.
  scores.sort((a, b) => b.accuracy - a.accuracy);
  const table = scores.map((s) => `${s.preset} ${(s.accuracy * 100).toFixed(1)}%`).join(', ');
  const chance = 1 / train.classNames.length;
  const best = scores[0];
  if (best.accuracy < nearChance(chance) && !refuse) {
    const contract = presetContract('dataset-stats', 'default');
    const norm = stats();
    rememberInputContract(model, { ...contract, mean: norm.mean, std: norm.std });
    return {
      contract: { ...contract, mean: norm.mean, std: norm.std },
      norm,
      scores,
      message: `input: the model scores near chance under every preset (${table}); it trains from the data set's statistics`,
    };
  }
  if (best.accuracy < nearChance(chance)) {
    throw new InputContractError(
      `This model scores ${(best.accuracy * 100).toFixed(0)}% on these images at best (chance is ${(chance * 100).toFixed(0)}%; ${table}): ` +
        'wrong data set, class order or preprocessing? ' +
        permutationHint(presets, confusions, train.classNames, nearChance(chance)) +
        'Say how the model expects its images (--input-preset, --input-scale, --input-mean, --input-std) ' +
        'if none of these fits.',
    );
  }
  const found = presetContract(best.preset, 'detected');
  const norm = contractNormalisation(found, train.channels, stats);
  const contract = found.preset === 'dataset-stats' ? { ...found, mean: norm.mean, std: norm.std } : found;
  rememberInputContract(model, contract);
  return { contract, norm, scores, message: `input: ${describeContract(contract)} (accuracy on ${sample.count} training images: ${table})` };
}

/**
 * When the model's predictions are the data's classes in another order under some preset (its class 3 given to
 * the data's 'cat' images...), the mapping, so a model without class names can be paired with its data.
 */
function permutationHint(presets: InputPreset[], confusions: Map<InputPreset, number[][]>, classNames: readonly string[], least: number): string {
  let found: { preset: InputPreset; permutation: ClassPermutation } | undefined;
  for (const preset of presets) {
    const permutation = likelyPermutation(confusions.get(preset) ?? [], classNames, least);
    if (permutation && (!found || permutation.explained > found.permutation.explained)) found = { preset, permutation };
  }
  if (!found) return '';
  const { preset, permutation } = found;
  return (
    `Its predictions look like the data's classes in another order: under preset '${preset}' the model's ${permutation.pairs} ` +
    `(that order explains ${(permutation.explained * 100).toFixed(0)}% of the sample). If it was trained with that class order, ` +
    'give the data set its classes in the same order (or use a model file that names its classes, which Pruneflow then matches by name). '
  );
}

/** Below this the model is no better than guessing by much: a fifth of the way from chance to perfect. */
export function nearChance(chance: number): number {
  return chance + 0.2 * (1 - chance);
}
