import { INPUT_PRESETS, INPUT_SCALES, isInputPreset, presetContract, type InputContract, type InputPreset, type InputScale } from '../models/input-contract.js';

export { INPUT_PRESETS, type InputContract, type InputPreset } from '../models/input-contract.js';

/**
 * How the user says a model expects its images (PruneConfig.input; CLI --input-preset, --input-scale,
 * --input-mean, --input-std, --input-bgr; the Model screen). A preset sets everything; the other fields change it.
 * Kept in its own module so a single run-options schema can take it over.
 */
export interface InputOptions {
  preset?: InputPreset;
  scale?: InputScale;
  mean?: number[];
  std?: number[];
  colorOrder?: 'rgb' | 'bgr';
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

const numbers = (v: unknown, positive: boolean) =>
  Array.isArray(v) && v.length >= 1 && v.length <= 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n) && (!positive || n > 0));

/** The validator's check of PruneConfig.input: undefined when valid, else what it must be. */
export function checkInputOptions(v: unknown): string | undefined {
  const what = `{ preset?: ${Object.keys(INPUT_PRESETS).join(' | ')}, scale?: ${INPUT_SCALES.join(' | ')}, mean?: 1-4 numbers, std?: 1-4 numbers above 0, colorOrder?: rgb | bgr }`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return what;
  const o = v as Record<string, unknown>;
  const ok =
    Object.keys(o).every((k) => ['preset', 'scale', 'mean', 'std', 'colorOrder'].includes(k)) &&
    (o.preset === undefined || (typeof o.preset === 'string' && isInputPreset(o.preset))) &&
    (o.scale === undefined || INPUT_SCALES.includes(o.scale as InputScale)) &&
    (o.mean === undefined || numbers(o.mean, false)) &&
    (o.std === undefined || numbers(o.std, true)) &&
    (o.colorOrder === undefined || o.colorOrder === 'rgb' || o.colorOrder === 'bgr');
  return ok ? undefined : what;
}
