import { InvalidArgumentError, type Command } from 'commander';
import type { InputOptions } from '../api/input-options.js';
import { INPUT_PRESETS, INPUT_SCALES, isInputPreset, type InputScale } from '../models/input-contract.js';
import { readRegularFile } from './read-file.js';

export interface InputFlags {
  inputPreset?: string;
  inputScale?: string;
  inputMean?: number[];
  inputStd?: number[];
  inputBgr?: boolean;
  classNamesFile?: string;
}

const list = (flag: string, positive: boolean) => (value: string) => {
  const values = value.split(',').map((s) => Number(s.trim()));
  if (values.length < 1 || values.length > 4 || values.some((n) => !Number.isFinite(n) || (positive && n <= 0))) {
    throw new InvalidArgumentError(`${flag} takes 1 to 4 comma-separated numbers${positive ? ' above 0' : ''}, e.g. 0.485,0.456,0.406`);
  }
  return values;
};

/** Adds the flags that say how the model expects its images. */
export function addInputFlags(command: Command): Command {
  return command
    .option(
      '--input-preset <name>',
      `how the model expects its images: ${Object.entries(INPUT_PRESETS)
        .map(([id, p]) => `${id} (${p.label})`)
        .join('; ')}. Default: what the model file says, else detected on the data`,
    )
    .option('--input-scale <range>', `pixel range the model was trained on: ${INPUT_SCALES.join(', ')}`)
    .option('--input-mean <values>', 'per-channel mean taken off after scaling (one value, or one per channel)', list('--input-mean', false))
    .option('--input-std <values>', 'per-channel deviation divided by after the mean (one value, or one per channel)', list('--input-std', true))
    .option('--input-bgr', 'the model reads channels in BGR order')
    .option('--class-names-file <file>', "the model's class names, one per line in the order of its outputs (blank lines skipped); same as --class-names");
}

/** A labels file as Teachable Machine, Keras and torchvision users keep them: one class name per line, in output order. */
export async function readClassNamesFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readRegularFile(path));
  } catch (error) {
    throw new InvalidArgumentError(`--class-names-file: cannot read ${path}: ${(error as Error).message}`);
  }
  const names = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (names.length < 2) {
    const count = `${names.length} class${names.length === 1 ? '' : 'es'}`;
    throw new InvalidArgumentError(`--class-names-file: ${path} names ${count}; give one per line, two or more`);
  }
  return names;
}

/** The input options the flags give, or undefined when none was given. */
export function inputOptionsFrom(flags: InputFlags): InputOptions | undefined {
  const { inputPreset, inputScale, inputMean, inputStd, inputBgr } = flags;
  if (inputPreset === undefined && inputScale === undefined && !inputMean && !inputStd && !inputBgr) return undefined;
  if (inputPreset !== undefined && !isInputPreset(inputPreset))
    throw new InvalidArgumentError(`--input-preset must be one of ${Object.keys(INPUT_PRESETS).join(', ')}, not '${inputPreset}'`);
  if (inputScale !== undefined && !INPUT_SCALES.includes(inputScale as InputScale))
    throw new InvalidArgumentError(`--input-scale must be one of ${INPUT_SCALES.join(', ')}, not '${inputScale}'`);
  const options: InputOptions = {};
  if (inputPreset !== undefined) options.preset = inputPreset;
  if (inputScale !== undefined) options.scale = inputScale as InputScale;
  if (inputMean) options.mean = inputMean;
  if (inputStd) options.std = inputStd;
  if (inputBgr) options.colorOrder = 'bgr';
  return options;
}
