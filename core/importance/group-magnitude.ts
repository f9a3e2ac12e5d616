import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type ChannelGraph, type ChannelGroup, perChannel } from '../graph/channel-graph.js';
import { meanOver } from './criterion.js';
import { filterMatrix } from './filters.js';

/**
 * Magnitude of a whole coupled group, per channel (Torch-Pruning's GroupMagnitudeImportance with
 * group_reduction 'mean'): every member with weights on the group's channels gives sum |w|^p over its
 * weights of each channel, and the members are averaged. Members: each producer's filter (output
 * channel), each scaled batch norm's gamma and each depthwise convolution's kernel on the group's
 * channels, and each consumer's input slice (conv, separable conv's depthwise kernel, dense; a dense
 * layer after a flatten reads a channel at every spatial position).
 */
export function groupMagnitude(group: ChannelGroup, model: tfl.LayersModel, graph: ChannelGraph, p: number): Float32Array {
  const power = (t: tf.Tensor) => (p === 1 ? tf.abs(t) : tf.pow(tf.abs(t), p));
  const members: Float32Array[] = [];
  for (const name of group.producers) {
    members.push(tf.tidy(() => tf.sum(power(filterMatrix(model.getLayer(name))), 0).dataSync() as Float32Array));
  }
  for (const name of [...group.followers, ...group.consumers]) {
    const layer = model.getLayer(name);
    const rows = inputChannelMagnitude(layer, power);
    if (!rows) continue;
    const ports = graph.layers.find((l) => l.name === name)!;
    const width = ports.inputs.reduce((n, s) => n + s.channels, 0);
    // A dense layer after a flatten: row s * width + c reads channel c at position s.
    const spatial = rows.length / width;
    let offset = 0;
    for (const segment of ports.inputs) {
      if (segment.group === group.id) {
        const slice = new Float32Array(segment.channels);
        for (let c = 0; c < segment.channels; c++) for (let s = 0; s < spatial; s++) slice[c] += rows[s * width + offset + c];
        // After a depthwise conv with a channel multiplier a channel fills several positions: its weights are all of theirs.
        members.push(perChannel(slice, 0, segment, 'sum'));
      }
      offset += segment.channels;
    }
  }
  return meanOver(group.channels, members);
}

/** sum |w|^p over each input channel's weights (one entry per input row), or undefined for a layer without such weights. */
function inputChannelMagnitude(layer: tfl.layers.Layer, power: (t: tf.Tensor) => tf.Tensor): Float32Array | undefined {
  const className = layer.getClassName();
  const weights = layer.getWeights();
  return tf.tidy(() => {
    if (className === 'BatchNormalization') {
      // Scaled batch norms only: [gamma, beta, mean, variance] (Torch-Pruning scores the affine weight alone).
      return layer.getConfig().scale === false ? undefined : (power(weights[0]).dataSync() as Float32Array);
    }
    // Kernels are [..., in, out] (conv HWIO, dense [in, out], depthwise [h, w, in, multiplier]).
    if (!['Conv2D', 'Dense', 'SeparableConv2D', 'DepthwiseConv2D'].includes(className)) return undefined;
    const kernel = weights[0];
    const rows = kernel.shape[kernel.rank - 2];
    const moved =
      kernel.rank === 2 ? kernel : tf.transpose(kernel, [kernel.rank - 2, ...Array.from({ length: kernel.rank - 2 }, (_, i) => i), kernel.rank - 1]);
    return tf.sum(tf.reshape(power(moved), [rows, -1]), 1).dataSync() as Float32Array;
  });
}
