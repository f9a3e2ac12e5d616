import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelsFirst } from './keras-channels-first.js';
import type { WeightArray } from './layer-weights.js';
import { ModelFormatError, UnsupportedLayerError } from './model-errors.js';

/** Layers that pass a flattened vector on unchanged, feature by feature. */
const ELEMENTWISE = new Set(['Dropout', 'Activation', 'ActivityRegularization', 'LeakyReLU', 'ReLU', 'ELU']);

/**
 * The weights of a channels-first model as its channels-last conversion reads them: Keras 1 kernels from
 * (filters, inputs, rows, cols) to (rows, cols, inputs, filters), and the features after each flatten from
 * (channels, rows, cols) order to (rows, cols, channels), in the dense and batch-norm layers that read them.
 */
export function channelsLastWeights(model: tfl.LayersModel, weights: Map<string, WeightArray[]>, found: ChannelsFirst, file: string): void {
  for (const name of found.kernels) {
    const arrays = weights.get(name);
    if (arrays?.[0]?.shape.length === 4) arrays[0] = transposeKernel(arrays[0]);
  }
  for (const name of found.flattens) {
    const flatten = model.getLayer(name);
    const [, rows, cols, channels] = flatten.inboundNodes[0].inputTensors[0].shape as number[];
    if (![rows, cols, channels].every(Number.isInteger))
      throw new ModelFormatError(file, `flatten layer '${name}' has an input of unknown size, so its channels-first order cannot be converted`);
    const order = featureOrder(rows, cols, channels);
    const visit = (layer: tfl.layers.Layer): void => {
      for (const node of layer.outboundNodes) {
        const next = node.outboundLayer;
        const className = next.getClassName();
        const arrays = weights.get(next.name);
        if (className === 'Dense' && arrays) arrays[0] = permuteRows(arrays[0], order);
        else if (className === 'BatchNormalization' && arrays) arrays.forEach((a, i) => (arrays[i] = permuteRows(a, order)));
        else if (!ELEMENTWISE.has(className))
          throw new UnsupportedLayerError(
            file,
            next.name,
            className,
            `reads the channels-first flatten '${name}', which Pruneflow can only convert for dense layers`,
          );
        if (className !== 'Dense') visit(next);
      }
    };
    visit(flatten);
  }
}

function transposeKernel({ path, shape: [filters, inputs, rows, cols], values }: WeightArray): WeightArray {
  const out = new Float32Array(values.length);
  for (let o = 0; o < filters; o++)
    for (let i = 0; i < inputs; i++)
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) out[((r * cols + c) * inputs + i) * filters + o] = values[((o * inputs + i) * rows + r) * cols + c];
  return { path, shape: [rows, cols, inputs, filters], values: out };
}

/** For each feature of the channels-last flatten, its index in the channels-first one. */
function featureOrder(rows: number, cols: number, channels: number): Int32Array {
  const order = new Int32Array(rows * cols * channels);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) for (let ch = 0; ch < channels; ch++) order[(r * cols + c) * channels + ch] = (ch * rows + r) * cols + c;
  return order;
}

/** Reorders the first axis of an array (a dense kernel's rows, a batch norm's vectors). */
function permuteRows(array: WeightArray, order: Int32Array): WeightArray {
  if (array.shape[0] !== order.length) return array;
  const width = array.values.length / order.length;
  const out = new Float32Array(array.values.length);
  order.forEach((from, to) => out.set(array.values.subarray(from * width, (from + 1) * width), to * width));
  return { ...array, values: out };
}

/** Layers whose kernels Keras 2 flips when it loads a Theano-trained file (keras/engine/saving.py, Keras 2.3). */
const THEANO_FLIPPED = new Set(['Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose']);

/**
 * A file saved by Keras with the Theano backend (root attribute backend = 'theano') holds convolution kernels for a
 * true convolution; TensorFlow correlates, so each kernel is flipped along its spatial axes, as Keras 2 did on load.
 */
export function flipTheanoKernels(model: tfl.LayersModel, weights: Map<string, WeightArray[]>): string[] {
  const flipped: string[] = [];
  for (const layer of model.layers) {
    const arrays = weights.get(layer.name);
    if (!THEANO_FLIPPED.has(layer.getClassName()) || !arrays?.[0] || arrays[0].shape.length < 3) continue;
    arrays[0] = flipSpatial(arrays[0]);
    flipped.push(layer.name);
  }
  return flipped;
}

/** Reverses every axis but the last two (inputs, filters) of a kernel. */
function flipSpatial(array: WeightArray): WeightArray {
  const { shape, values } = array;
  const spatial = shape.slice(0, -2);
  const block = shape.at(-2)! * shape.at(-1)!;
  const count = spatial.reduce((a, b) => a * b, 1);
  const out = new Float32Array(values.length);
  for (let index = 0; index < count; index++) {
    let rest = index;
    let mirrored = 0;
    for (let axis = spatial.length - 1, stride = 1; axis >= 0; stride *= spatial[axis], axis--) {
      const at = rest % spatial[axis];
      rest = Math.floor(rest / spatial[axis]);
      mirrored += (spatial[axis] - 1 - at) * stride;
    }
    out.set(values.subarray(mirrored * block, (mirrored + 1) * block), index * block);
  }
  return { ...array, values: out };
}
