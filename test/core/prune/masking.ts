import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGraph } from '../../../core/graph/channel-graph.js';

/**
 * The masked network: pruned channels silenced in place (batch norm gamma and beta, or kernel and
 * bias, set to zero), so every consumer reads zeros from them. Physical pruning must match it.
 */
export function applyMask(model: tfl.LayersModel, graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>): void {
  for (const [groupId, kept] of keep) {
    const group = graph.groups[groupId];
    const mask = new Float32Array(group.channels);
    for (const c of kept) mask[c] = 1;
    const silence = (name: string, which: (w: tf.Tensor, i: number) => boolean) => {
      const layer = model.getLayer(name);
      layer.setWeights(layer.getWeights().map((w, i) => (which(w, i) ? tf.mul(w, tf.tensor(mask)) : w)));
    };
    if (group.followers.length > 0) {
      // gamma and beta (the first two weights); the moving statistics stay.
      for (const name of group.followers) silence(name, (_, i) => i < 2);
    } else {
      for (const name of group.producers) silence(name, () => true);
    }
  }
}

/** Random batch-norm statistics and affine parameters, so a test exercises all four slices. */
export function randomiseBatchNorm(model: tfl.LayersModel, seed = 3): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    // getWeights() hands out the live variables: read them, never dispose them.
    const n = layer.getWeights()[0].shape[0];
    layer.setWeights([
      tf.randomUniform([n], 0.5, 1.5, 'float32', seed),
      tf.randomUniform([n], -0.3, 0.3, 'float32', seed + 1),
      tf.randomUniform([n], -0.2, 0.2, 'float32', seed + 2),
      tf.randomUniform([n], 0.5, 2, 'float32', seed + 3),
    ]);
  }
}
