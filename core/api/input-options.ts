/**
 * How the user says a model expects its images (PruneConfig.input; CLI --input-preset, --input-scale,
 * --input-mean, --input-std, --input-bgr; the Model screen). A preset sets everything; the other fields change it.
 * The presets are plain data here, in the API, so the UI can name them; core/models/input-contract.ts turns
 * options into the contract a model is fed by.
 */
import { z } from 'zod';

/**
 * How a model expects its images: the pixel range it was trained on, the colour order, and a per-channel mean and
 * deviation (or a per-pixel mean image) taken off after scaling. A pixel p (0-255) of channel c reaches the model as
 * (scaled(p) - mean[c] - meanImage[i]) / std[c], scaled(p) being p, p / 255 or p / 127.5 - 1.
 */
export interface InputContract {
  /** Named presets set every field; 'custom' when the fields were given one by one. */
  preset: InputPreset | 'custom';
  scale: InputScale;
  colorOrder: 'rgb' | 'bgr';
  /** Per channel, in the scaled units (model's channel order); empty for 'dataset-stats' until the data is known. */
  mean: number[];
  std: number[];
  /** Per pixel (height x width x channels, model's channel order), in scaled units, subtracted after `mean`. */
  meanImage?: number[];
  /** Class names in the model's output order, when the file names them. */
  labels?: string[];
  /** Input height, width and channels the file states (Teachable Machine's imageSize). */
  size?: [number, number, number];
  /** Where it came from: the model file, the user (flags, Model screen), detection on the data, or the default. */
  source: 'file' | 'user' | 'detected' | 'default';
}

export type InputScale = '0-255' | '0-1' | '-1-1';
export type InputPreset = 'raw' | 'unit' | 'tf' | 'imagenet' | 'caffe' | 'dataset-stats';

export const INPUT_SCALES: readonly InputScale[] = ['0-255', '0-1', '-1-1'];

/** The presets, as the CLI and the Model screen name them. */
export const INPUT_PRESETS: Readonly<Record<InputPreset, { label: string; scale: InputScale; colorOrder: 'rgb' | 'bgr'; mean: number[]; std: number[] }>> = {
  raw: { label: 'raw pixels 0-255', scale: '0-255', colorOrder: 'rgb', mean: [], std: [] },
  unit: { label: 'pixels scaled to [0, 1]', scale: '0-1', colorOrder: 'rgb', mean: [], std: [] },
  tf: { label: 'pixels scaled to [-1, 1] (TensorFlow, Teachable Machine, MobileNet)', scale: '-1-1', colorOrder: 'rgb', mean: [], std: [] },
  imagenet: {
    label: 'ImageNet mean and deviation on [0, 1] (PyTorch, torchvision)',
    scale: '0-1',
    colorOrder: 'rgb',
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  },
  caffe: {
    label: 'BGR 0-255 minus the ImageNet mean (Keras ResNet50, VGG)',
    scale: '0-255',
    colorOrder: 'bgr',
    mean: [103.939, 116.779, 123.68],
    std: [1, 1, 1],
  },
  'dataset-stats': { label: "the data set's own channel mean and deviation on [0, 1]", scale: '0-1', colorOrder: 'rgb', mean: [], std: [] },
};

export const isInputPreset = (name: string): name is InputPreset => Object.hasOwn(INPUT_PRESETS, name);

const channelValues = (positive: boolean) =>
  z
    .array(positive ? z.number().gt(0).finite() : z.number().finite())
    .min(1)
    .max(4);

/** The run option `input`, checked with the others (run-options.ts). */
export const inputOptionsSchema = z.strictObject({
  preset: z.enum(Object.keys(INPUT_PRESETS) as [InputPreset, ...InputPreset[]]).optional(),
  scale: z.enum(INPUT_SCALES as unknown as [InputScale, ...InputScale[]]).optional(),
  mean: channelValues(false).optional(),
  std: channelValues(true).optional(),
  colorOrder: z.enum(['rgb', 'bgr']).optional(),
});
export type InputOptions = z.output<typeof inputOptionsSchema>;

export const INPUT_OPTIONS_EXPECTS =
  `{ preset?: ${Object.keys(INPUT_PRESETS).join(' | ')}, scale?: ${INPUT_SCALES.join(' | ')}, ` +
  `mean?: 1-4 numbers, std?: 1-4 numbers above 0, colorOrder?: rgb | bgr }`;
