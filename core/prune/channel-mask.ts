import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGraph } from '../graph/channel-graph.js';

/**
 * Mask mode: silences the channels a pruning would remove, in place and with the same shapes, so every
 * consumer reads zeros from them. Batch norms get gamma = beta = 0; groups without one get their
 * producers' output weights zeroed; index maps (option-A shortcuts) stop copying into masked positions.
 * `pruneModel` with the same keep gives a smaller model with the same outputs.
 */
export function applyChannelMask(model: tfl.LayersModel, graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>): void {
  for (const [groupId, kept] of keep) {
    const group = graph.groups[groupId];
    const mask = new Float32Array(group.channels);
    for (const c of kept) mask[c] = 1;
    const norms = group.followers.filter((name) => model.getLayer(name).getClassName() === 'BatchNormalization');
    // gamma and beta come first; the moving statistics stay as they are.
    for (const name of norms) scaleWeights(model.getLayer(name), mask, (_, i) => i < 2);
    if (norms.length === 0) {
      for (const name of group.producers) scaleWeights(model.getLayer(name), mask, (w) => w.shape[w.rank - 1] === group.channels);
    }
  }
  for (const layer of graph.layers.filter((l) => l.className === 'ZeroPadShortcut')) {
    const kept = keep.get(layer.outputs[0].group);
    if (!kept) continue;
    const shortcut = model.getLayer(layer.name) as unknown as { sourceChannels?: number[]; outChannels: number };
    const inChannels = layer.inputs.reduce((n, s) => n + s.channels, 0);
    const source = shortcut.sourceChannels ?? Array.from({ length: shortcut.outChannels }, (_, i) => (i < inChannels ? i : -1));
    const survives = new Set(kept);
    shortcut.sourceChannels = source.map((c, o) => (survives.has(o) ? c : -1));
  }
}

function scaleWeights(layer: tfl.layers.Layer, mask: Float32Array, which: (w: tf.Tensor, i: number) => boolean): void {
  // getWeights() hands out the live variables: setWeights copies, so the products can be freed after.
  const factor = tf.tensor1d(mask);
  const scaled = layer.getWeights().map((w, i) => (which(w, i) ? tf.mul(w, factor) : null));
  layer.setWeights(layer.getWeights().map((w, i) => scaled[i] ?? w));
  tf.dispose([factor, ...scaled.filter((t): t is tf.Tensor => t !== null)]);
}
