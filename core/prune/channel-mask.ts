import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type ChannelGraph, type LayerPorts, positionsOf } from '../graph/channel-graph.js';
import { shortcutSources } from '../models/zero-pad-shortcut.js';

/** Silences some input positions of one consumer layer (positions in its input tensor, rows for a dense after a flatten). */
type ConsumerMask = (layer: tfl.layers.Layer, removed: Int32Array, ports: LayerPorts) => void;

/**
 * Where each consumer reads its input channels. The layers in between (batch norms, depthwise convolutions,
 * activations, pools, merges) act on each channel alone, so what they do with a removed one no longer matters.
 */
const CONSUMERS: Record<string, ConsumerMask> = {
  // kernel [kh, kw, in, out]
  Conv2D: (layer, removed) => zeroSlices(layer, 0, 2, removed),
  // kernel [in, out]
  Dense: (layer, removed) => zeroSlices(layer, 0, 0, removed),
  // kernel [kh, kw, in / groups, out]: input channel c is row c mod (in / groups) of its own group's filters only
  GroupedConv2D: (layer, removed, ports) => {
    const [, , perGroup, out] = layer.getWeights()[0].shape;
    const outPerGroup = out / (ports.inputs.reduce((n, s) => n + s.channels, 0) / perGroup);
    const factor = new Float32Array(perGroup * out).fill(1);
    for (const c of removed) {
      const group = Math.floor(c / perGroup);
      factor.fill(0, (c % perGroup) * out + group * outPerGroup, (c % perGroup) * out + (group + 1) * outPerGroup);
    }
    scaleWeight(layer, 0, factor, [1, 1, perGroup, out]);
  },
  // depthwise [kh, kw, in, 1], pointwise [1, 1, in, out]: the pointwise rows read the depthwise output of each input channel
  SeparableConv2D: (layer, removed) => zeroSlices(layer, 1, 2, removed),
  // Output channel o copies input channel source[o]: a removed input is copied as zeros, as the pruned shortcut does.
  ZeroPadShortcut: (layer, removed, ports) => {
    const shortcut = layer as unknown as { sourceChannels?: number[]; outChannels: number };
    const inChannels = ports.inputs.reduce((n, s) => n + s.channels, 0);
    const source = shortcutSources(shortcut.sourceChannels, shortcut.outChannels, inChannels);
    const gone = new Set(removed);
    shortcut.sourceChannels = source.map((c) => (gone.has(c) ? -1 : c));
  },
};

/**
 * Mask mode: the model computes what `pruneModel` with the same `keep` computes, in place and with the same
 * shapes. A removed channel is silenced where its consumers read it (their input weights for it zeroed; an
 * option-A shortcut stops copying it), never upstream: batch norms, biases and merges between a producer and
 * its consumers would carry a silenced channel's shift onward. Groups the graph blocks (a Softmax reading them,
 * model outputs) are never in `keep`.
 */
export function applyChannelMask(model: tfl.LayersModel, graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>): void {
  for (const ports of graph.layers) {
    const mask = CONSUMERS[ports.className];
    if (!mask) continue;
    const removed = removedPositions(ports, keep);
    if (removed.length > 0) mask(model.getLayer(ports.name), removed, ports);
  }
}

/** The layers whose weights or index maps `applyChannelMask` may change when it masks `groups`. */
export function maskedLayers(graph: ChannelGraph, groups: Iterable<number>): string[] {
  const wanted = new Set(groups);
  return graph.layers.filter((l) => CONSUMERS[l.className] && l.inputs.some((s) => wanted.has(s.group))).map((l) => l.name);
}

/** Removed positions in a consumer's input: each segment's removed channels at its offset (every position they fill), spread over a flatten's positions. */
function removedPositions(ports: LayerPorts, keep: ReadonlyMap<number, Int32Array>): Int32Array {
  const total = ports.inputs.reduce((n, s) => n + s.channels, 0);
  const channels: number[] = [];
  let offset = 0;
  for (const segment of ports.inputs) {
    const kept = keep.get(segment.group);
    if (kept) {
      const survives = new Set(kept);
      for (let c = 0; c < segment.channels / (segment.repeat ?? 1); c++) if (!survives.has(c)) channels.push(...positionsOf(segment, offset, c));
    }
    offset += segment.channels;
  }
  const rows = new Int32Array(channels.length * ports.inSpatial);
  for (let p = 0; p < ports.inSpatial; p++) channels.forEach((c, i) => (rows[p * channels.length + i] = p * total + c));
  return rows;
}

/** Zeroes the slices `removed` along `axis` of weight `index` of `layer`. */
function zeroSlices(layer: tfl.layers.Layer, index: number, axis: number, removed: Int32Array): void {
  const shape = layer.getWeights()[index].shape;
  const factor = new Float32Array(shape[axis]).fill(1);
  for (const r of removed) factor[r] = 0;
  scaleWeight(
    layer,
    index,
    factor,
    shape.map((size, a) => (a === axis ? size : 1)),
  );
}

/** Multiplies weight `index` of `layer` by `factor` (of `shape`, broadcast over the weight). */
function scaleWeight(layer: tfl.layers.Layer, index: number, factor: Float32Array, shape: number[]): void {
  // getWeights() hands out the live variables: setWeights copies, so the product can be freed after.
  const weights = layer.getWeights();
  const masked = tf.tidy(() => tf.mul(weights[index], tf.tensor(factor, shape)));
  layer.setWeights(weights.map((w, i) => (i === index ? masked : w)));
  masked.dispose();
}
