import { INPUT_PRESETS, type InputContract, type InputPreset, type InputScale } from '../../../api/input-options.js';
import { parseContract, presetContract } from '../../input-contract.js';
import type { OnnxModel } from './onnx-proto.js';

/** The key under which Pruneflow writes the whole contract (JSON) into an ONNX file's metadata_props. */
export const CONTRACT_KEY = 'pruneflow.input_contract';

/**
 * How an ONNX file says its images are fed, from its metadata_props: Pruneflow's own key; else the image keys of
 * ONNX's MetadataProps spec (Image.BitmapPixelFormat, Image.NominalPixelRange) with `mean` / `std` keys where a
 * converter or a person wrote them. A file that says nothing but has torchvision's shape (one 3 x 224 x 224 input,
 * 1000 classes) gets the `imagenet` preset by default, with a note; any other such file gets no contract (the run
 * detects one or the user says it). The input's own height, width and channels always ride along as `size`.
 */
export function onnxInputContract(proto: OnnxModel, file: string, warnings: string[]): InputContract | undefined {
  const props = new Map((proto.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const size = inputSize(proto);
  const withSize = (contract: InputContract | undefined) => (contract && size && !contract.size ? { ...contract, size } : contract);
  const own = props.get(CONTRACT_KEY);
  if (own !== undefined) {
    const parsed = parseContract(safeJson(own));
    if (parsed) return withSize(parsed);
    warnings.push(`${file}: metadata '${CONTRACT_KEY}' is not an input contract Pruneflow reads; it is ignored`);
  }
  const spec = specContract(props, file, warnings);
  if (spec) return withSize(spec);
  if (size && size[0] === 224 && size[1] === 224 && size[2] === 3 && classes(proto) === 1000) {
    warnings.push(
      `${file} does not say how it expects its images; its 3x224x224 input and 1000 classes look like torchvision's, ` +
        "so it is fed ImageNet's preprocessing (RGB in [0, 1], mean 0.485/0.456/0.406, " +
        'std 0.229/0.224/0.225). Say otherwise with --input-preset or on the Model screen.',
    );
    return { ...presetContract('imagenet', 'default'), size };
  }
  return undefined;
}

/** metadata_props that carry `contract` in an ONNX export: Pruneflow's key, and the spec's image keys where they apply. */
export function contractMetadata(contract: InputContract | undefined): { key: string; value: string }[] {
  if (!contract) return [];
  const { source: _source, ...stored } = contract;
  void _source;
  const range = { '0-255': 'NominalRange_0_255', '0-1': 'Normalized_0_1', '-1-1': 'Normalized_1_1' }[contract.scale];
  return [
    { key: CONTRACT_KEY, value: JSON.stringify(stored) },
    { key: 'Image.BitmapPixelFormat', value: contract.colorOrder === 'bgr' ? 'Bgr8' : 'Rgb8' },
    { key: 'Image.NominalPixelRange', value: range },
  ];
}

const RANGES: Record<string, InputScale> = { NominalRange_0_255: '0-255', Normalized_0_1: '0-1', Normalized_1_1: '-1-1' };

function specContract(props: Map<string, string>, file: string, warnings: string[]): InputContract | undefined {
  const format = props.get('Image.BitmapPixelFormat');
  const rangeName = props.get('Image.NominalPixelRange');
  const mean = numbers(props.get('mean') ?? props.get('input_mean'));
  const std = numbers(props.get('std') ?? props.get('input_std'));
  if (format === undefined && rangeName === undefined && !mean && !std) return undefined;
  let scale = rangeName === undefined ? undefined : RANGES[rangeName];
  if (rangeName !== undefined && !scale)
    warnings.push(`${file}: Image.NominalPixelRange '${rangeName}' is not one Pruneflow feeds; its pixel range is taken from the other keys`);
  scale ??= mean && Math.max(...mean) > 1 ? '0-255' : mean || std ? '0-1' : '0-255';
  const colorOrder = format && /^bgr/i.test(format) ? 'bgr' : 'rgb';
  const contract: InputContract = { preset: 'custom', scale, colorOrder, mean: mean ?? [], std: std ?? [], source: 'file' };
  // A named preset when the values are exactly one.
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-6);
  const preset = (Object.keys(INPUT_PRESETS) as InputPreset[]).find((name) => {
    const p = INPUT_PRESETS[name];
    return name !== 'dataset-stats' && p.scale === scale && p.colorOrder === colorOrder && same(p.mean, contract.mean) && same(p.std, contract.std);
  });
  return preset ? presetContract(preset, 'file') : contract;
}

/** "[0.485, 0.456, 0.406]" or "0.485,0.456,0.406": finite numbers, or undefined. */
function numbers(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text
    .replace(/[[\]()\s]/g, '')
    .split(',')
    .filter(Boolean)
    .map(Number);
  return values.length > 0 && values.length <= 4 && values.every(Number.isFinite) ? values : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** [height, width, channels] of the only image input (NCHW with static sizes), or undefined. */
function inputSize(proto: OnnxModel): [number, number, number] | undefined {
  const initializers = new Set((proto.graph?.initializer ?? []).map((t) => t.name));
  const inputs = (proto.graph?.input ?? []).filter((i) => !initializers.has(i.name));
  if (inputs.length !== 1) return undefined;
  const dims = (inputs[0].type?.tensor_type?.shape?.dim ?? []).map((d) => Number(d.dim_value ?? 0));
  if (dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) return undefined;
  // NHWC (TensorFlow converters) when the last axis, not the second, looks like colour channels.
  const channels = (d: number) => d === 1 || d === 3 || d === 4;
  if (channels(dims[3]) && !channels(dims[1])) return [dims[1], dims[2], dims[3]];
  return [dims[2], dims[3], dims[1]];
}

/** The class count of a single [N, classes] output, or undefined. */
function classes(proto: OnnxModel): number | undefined {
  const outputs = proto.graph?.output ?? [];
  if (outputs.length !== 1) return undefined;
  const dims = outputs[0].type?.tensor_type?.shape?.dim ?? [];
  return dims.length === 2 ? Number(dims[1].dim_value ?? 0) : undefined;
}
