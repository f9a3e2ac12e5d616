import * as tf from '@tensorflow/tfjs-core';

/** Which channels of a layer survive: its input side and its output side (undefined = all). */
export interface LayerKeep {
  in?: Int32Array;
  /** Rows per input channel when a flatten feeds a dense layer (channels-last order). */
  inSpatial: number;
  out?: Int32Array;
}

type Slicer = (weights: tf.Tensor[], keep: LayerKeep) => tf.Tensor[];

/** Per-layer surgery by tfjs class name: how each weight tensor is cut. */
const SLICERS: Record<string, Slicer> = {
  // kernel [kh, kw, in, out], bias [out]
  Conv2D: ([kernel, bias], keep) => [
    gather(gather(kernel, keep.in, 2), keep.out, 3),
    ...(bias ? [gather(bias, keep.out, 0)] : []),
  ],
  // kernel [in * spatial, out], bias [out]
  Dense: ([kernel, bias], keep) => [
    gather(gather(kernel, expandRows(keep.in, keep.inSpatial, kernel.shape[0]), 0), keep.out, 1),
    ...(bias ? [gather(bias, keep.out, 0)] : []),
  ],
  // gamma, beta, moving mean, moving variance: all per channel
  BatchNormalization: (weights, keep) => weights.map((w) => gather(w, keep.out, 0)),
};

export function hasSlicer(className: string): boolean {
  return className in SLICERS;
}

export function sliceWeights(className: string, weights: tf.Tensor[], keep: LayerKeep): tf.Tensor[] {
  const slicer = SLICERS[className];
  if (!slicer) throw new Error(`No slicing rule for layer class ${className}`);
  return slicer(weights, keep);
}

function gather(tensor: tf.Tensor, indices: Int32Array | undefined, axis: number): tf.Tensor {
  // A clone, never the input: callers dispose the result, and the input may be a model variable.
  return indices ? tf.gather(tensor, tf.tensor1d(indices, 'int32'), axis) : tensor.clone();
}

/** Channels-last flatten: row p * channels + c belongs to channel c. */
function expandRows(channels: Int32Array | undefined, spatial: number, rows: number): Int32Array | undefined {
  if (!channels || spatial === 1) return channels;
  const total = rows / spatial;
  const out = new Int32Array(channels.length * spatial);
  for (let p = 0; p < spatial; p++) {
    for (let i = 0; i < channels.length; i++) out[p * channels.length + i] = p * total + channels[i];
  }
  return out;
}
