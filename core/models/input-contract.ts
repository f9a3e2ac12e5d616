import type * as tfl from '@tensorflow/tfjs-layers';
import type { Normalisation } from '../data/image-dataset.js';
import { INPUT_PRESETS, INPUT_SCALES, isInputPreset, type InputContract, type InputOptions, type InputPreset, type InputScale } from '../api/input-options.js';

export { INPUT_PRESETS, INPUT_SCALES, isInputPreset, type InputContract, type InputPreset, type InputScale } from '../api/input-options.js';

export function presetContract(preset: InputPreset, source: InputContract['source'] = 'user'): InputContract {
  const { scale, colorOrder, mean, std } = INPUT_PRESETS[preset];
  return { preset, scale, colorOrder, mean: [...mean], std: [...std], source };
}

/** A wrong contract: says which value and why. */
export class InputContractError extends Error {
  override name = 'InputContractError';
}

/**
 * The contract as a normalisation on pixel / 255: (p / 255 - m) / s. Every scale is affine in p, so every contract
 * is exactly one such pair per channel; `stats` fills 'dataset-stats' (and an empty mean/std: 0 and 1).
 */
export function contractNormalisation(contract: InputContract, channels: number, stats: () => { mean: number[]; std: number[] }): Normalisation {
  // A contract saved with a model keeps the statistics of the data it was trained on.
  if (contract.preset === 'dataset-stats') return contract.mean.length > 0 && contract.std.length > 0 ? { mean: contract.mean, std: contract.std } : stats();
  const perChannel = (values: number[], fill: number, what: string) => {
    if (values.length === 0) return new Array<number>(channels).fill(fill);
    if (values.length === 1) return new Array<number>(channels).fill(values[0]);
    if (values.length !== channels) throw new InputContractError(`the input ${what} has ${values.length} values but the images have ${channels} channels`);
    return values;
  };
  const mean = perChannel(contract.mean, 0, 'mean');
  const std = perChannel(contract.std, 1, 'std');
  std.forEach((s, c) => {
    if (!(s > 0)) throw new InputContractError(`the input std of channel ${c} is ${s}; it must be above 0`);
  });
  // scaled(p) = a * (p / 255) + b, so (scaled - M) / S = (p / 255 - (M - b) / a) / (S / a).
  const [a, b] = contract.scale === '0-255' ? [255, 0] : contract.scale === '-1-1' ? [2, -1] : [1, 0];
  const out: Normalisation = { mean: mean.map((m) => (m - b) / a), std: std.map((s) => s / a) };
  if (contract.colorOrder === 'bgr' && channels === 3) out.channelOrder = [2, 1, 0];
  if (contract.meanImage) out.meanImage = Float32Array.from(contract.meanImage, (v) => v / a);
  return out;
}

/** One line for the CLI and reports: "[-1, 1] (tf preset), RGB, from the model file". */
export function describeContract(contract: InputContract): string {
  const scale = { '0-255': '0-255', '0-1': '[0, 1]', '-1-1': '[-1, 1]' }[contract.scale];
  const what = contract.preset === 'custom' ? `${scale}` : `${contract.preset} (${INPUT_PRESETS[contract.preset].label})`;
  const stats =
    contract.preset === 'custom' && (contract.mean.length || contract.std.length)
      ? `, mean [${contract.mean.join(', ')}], std [${contract.std.join(', ')}]`
      : '';
  const image = contract.meanImage ? ', minus a per-pixel mean image' : '';
  const from = { file: 'from the model file', user: 'as set', detected: 'detected on the data', default: 'default' }[contract.source];
  return `${what}${stats}${image}, ${contract.colorOrder.toUpperCase()}, ${from}`;
}

/**
 * What a model file says about its inputs, kept beside the model object from where it was read (import, a project's
 * stored baseline) to where it is fed and stored again.
 */
const fromFile = new WeakMap<tfl.LayersModel, InputContract>();

export function rememberInputContract(model: tfl.LayersModel, contract: InputContract | undefined): void {
  if (contract) fromFile.set(model, contract);
}

export function modelInputContract(model: tfl.LayersModel): InputContract | undefined {
  return fromFile.get(model);
}

/** A contract as a Pruneflow export stores it (JSON), checked field by field; undefined when it is not one. */
export function parseContract(value: unknown): InputContract | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const numbers = (x: unknown) => Array.isArray(x) && x.every((n) => typeof n === 'number' && Number.isFinite(n));
  const preset = typeof v.preset === 'string' && (isInputPreset(v.preset) || v.preset === 'custom') ? (v.preset as InputContract['preset']) : undefined;
  if (!preset || !INPUT_SCALES.includes(v.scale as InputScale) || (v.colorOrder !== 'rgb' && v.colorOrder !== 'bgr') || !numbers(v.mean) || !numbers(v.std))
    return undefined;
  const contract: InputContract = {
    preset,
    scale: v.scale as InputScale,
    colorOrder: v.colorOrder,
    mean: v.mean as number[],
    std: v.std as number[],
    source: 'file',
  };
  if (numbers(v.meanImage)) contract.meanImage = v.meanImage as number[];
  if (Array.isArray(v.labels) && v.labels.every((l) => typeof l === 'string')) contract.labels = v.labels as string[];
  if (numbers(v.size) && (v.size as number[]).length === 3) contract.size = v.size as [number, number, number];
  return contract;
}

/** Teachable Machine's metadata.json: its image models take [-1, 1] RGB (the library scales by 127.5), square imageSize. */
export function teachableMachineContract(metadata: unknown): InputContract | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const m = metadata as Record<string, unknown>;
  const isTm = typeof m.packageName === 'string' ? m.packageName.startsWith('@teachablemachine/image') : typeof m.tmVersion === 'string';
  if (!isTm) return undefined;
  const contract = presetContract('tf', 'file');
  if (Array.isArray(m.labels) && m.labels.every((l) => typeof l === 'string')) contract.labels = m.labels as string[];
  if (typeof m.imageSize === 'number' && m.imageSize > 0) contract.size = [m.imageSize, m.imageSize, 3];
  return contract;
}

/** The contract the options describe ('custom' when they change a preset's values). */
export function optionsContract(options: InputOptions): InputContract {
  const base = presetContract(options.preset ?? (options.scale || options.mean || options.std ? 'unit' : 'dataset-stats'));
  const changed = options.scale !== undefined || options.mean !== undefined || options.std !== undefined || options.colorOrder !== undefined;
  if (!changed) return base;
  if (base.preset === 'dataset-stats' && (options.mean || options.std)) return { ...base, preset: 'custom', mean: options.mean ?? [], std: options.std ?? [] };
  return {
    ...base,
    preset: 'custom',
    scale: options.scale ?? base.scale,
    colorOrder: options.colorOrder ?? base.colorOrder,
    mean: options.mean ?? base.mean,
    std: options.std ?? base.std,
  };
}
