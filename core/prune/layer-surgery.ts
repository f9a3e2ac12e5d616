import * as tf from '@tensorflow/tfjs-core';

/** Which channels of a layer survive (undefined = all of them). */
export interface LayerKeep {
  /** Kept input channels, already expanded to rows when a flatten feeds a dense layer. */
  in?: Int32Array;
  out?: Int32Array;
  /** Input channels before pruning (for index maps). */
  inChannels: number;
}

/** How pruning changes one layer type: its config (channel counts) and its weights. Configs are in
 * the serialised (snake_case) form of `model.toJSON`. */
interface SurgeryRule {
  config?(config: Record<string, unknown>, keep: LayerKeep): void;
  weights?(weights: tf.Tensor[], keep: LayerKeep): tf.Tensor[];
}

/** Per-layer surgery by tfjs class name; a new layer type plugs in with one entry. */
const RULES: Record<string, SurgeryRule> = {
  // kernel [kh, kw, in, out], bias [out]
  Conv2D: {
    config: (c, k) => k.out && (c.filters = k.out.length),
    weights: ([kernel, bias], k) => [gather(gather(kernel, k.in, 2), k.out, 3), ...maybe(bias, (b) => gather(b, k.out, 0))],
  },
  // kernel [in, out], bias [out]
  Dense: {
    config: (c, k) => k.out && (c.units = k.out.length),
    weights: ([kernel, bias], k) => [gather(gather(kernel, k.in, 0), k.out, 1), ...maybe(bias, (b) => gather(b, k.out, 0))],
  },
  // depthwise [kh, kw, in, 1], pointwise [1, 1, in, out], bias [out]
  SeparableConv2D: {
    config: (c, k) => k.out && (c.filters = k.out.length),
    weights: ([depthwise, pointwise, bias], k) => [
      gather(depthwise, k.in, 2),
      gather(gather(pointwise, k.in, 2), k.out, 3),
      ...maybe(bias, (b) => gather(b, k.out, 0)),
    ],
  },
  // kernel [kh, kw, in, multiplier], bias [in * multiplier]: output c * multiplier + j reads input c, so the kept
  // inputs pick the kernel's slices and their outputs the bias.
  DepthwiseConv2D: {
    weights: ([kernel, bias], k) => [gather(kernel, k.in, 2), ...maybe(bias, (b) => gather(b, k.out, 0))],
  },
  // kernel [kh, kw, in / groups, out], bias [out]: output group g reads input group g. Each group keeps its
  // own input channels (offsets inside the group), the same count in every group (the planner's blocks).
  GroupedConv2D: {
    config: (c, k) => k.out && (c.filters = k.out.length),
    weights: ([kernel, bias], k) => [groupedKernel(kernel, k), ...maybe(bias, (b) => gather(b, k.out, 0))],
  },
  // gamma, beta, moving mean, moving variance: all per channel
  BatchNormalization: {
    weights: (weights, k) => weights.map((w) => gather(w, k.out, 0)),
  },
  // Output channel o read input channel o (or zeros past the input): keep that wiring for the kept ones.
  ZeroPadShortcut: {
    config: (config, k) => {
      const outChannels = config.out_channels as number;
      const oldSource = (config.source_channels as number[] | undefined) ?? Array.from({ length: outChannels }, (_, i) => (i < k.inChannels ? i : -1));
      const keptOut = k.out ?? Int32Array.from(oldSource.keys());
      const keptIn = k.in ?? Int32Array.from({ length: k.inChannels }, (_, i) => i);
      const position = new Map(Array.from(keptIn, (channel, i) => [channel, i]));
      config.source_channels = Array.from(keptOut, (o) => position.get(oldSource[o]) ?? -1);
      config.out_channels = keptOut.length;
    },
  },
};

export function surgeryRule(className: string): SurgeryRule | undefined {
  return RULES[className];
}

function groupedKernel(kernel: tf.Tensor, k: LayerKeep): tf.Tensor {
  const [, , width, outChannels] = kernel.shape;
  const groups = k.inChannels / width;
  const outWidth = outChannels / groups;
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  const parts = all(groups).map((g) => {
    const outs = Array.from(k.out ?? all(outChannels)).filter((o) => Math.floor(o / outWidth) === g);
    const ins = Array.from(k.in ?? all(k.inChannels))
      .filter((i) => Math.floor(i / width) === g)
      .map((i) => i - g * width);
    return tf.gather(tf.gather(kernel, outs, 3), ins, 2);
  });
  return gather(tf.concat(parts, 3), undefined, 0);
}

function maybe(tensor: tf.Tensor | undefined, slice: (t: tf.Tensor) => tf.Tensor): tf.Tensor[] {
  return tensor ? [slice(tensor)] : [];
}

/**
 * A fresh tensor, never the input (callers dispose the result, and the input may be a model variable).
 * Materialised from its values: the wasm backend's GatherV2 returns a reshaped view whose storage
 * remembers a rank-4 shape, which its FusedConv2D then refuses as a bias ("rank-1 bias but got rank 4").
 */
function gather(tensor: tf.Tensor, indices: Int32Array | undefined, axis: number): tf.Tensor {
  if (!indices) return tf.tensor(tensor.dataSync(), tensor.shape, tensor.dtype);
  const gathered = tf.gather(tensor, tf.tensor1d(indices, 'int32'), axis);
  return tf.tensor(gathered.dataSync(), gathered.shape, gathered.dtype);
}
