import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGraph } from '../graph/channel-graph.js';

interface GatedWeight {
  group: number;
  variable: tfl.LayerVariable;
  /** The ungated value: what training really updates. */
  free: tf.Tensor;
  /** free * m, as last written into the model. */
  written: tf.Tensor;
}

/**
 * Per-channel gates m in [0, 1] on the prunable groups (CIP-SPEC section 5). A gate scales a group's
 * batch-norm gamma and beta (its BN output), or, without batch norm, its producers' output weights.
 *
 * tfjs-layers has no forward hook, so the gates are applied by rewriting weights: the model holds
 * m * w_free, the free weights live here. `sync()` after an optimizer step moves the step's update
 * w_model - m * w_free onto w_free and writes m * w_free again. The forward pass therefore always sees
 * the gated network, while the update, computed for m * w_free, lands unscaled on w_free: the gate is a
 * constant in the backward pass and gated-down channels keep learning (straight-through, SFP's soft
 * property). Gates must stay above 0 while training: at exactly 0 the ReLU's derivative is 0 and the
 * channel would get no gradient at all.
 */
export class SoftGates {
  private readonly weights: GatedWeight[];
  private readonly gates = new Map<number, tf.Tensor1D>();

  constructor(model: tfl.LayersModel, graph: ChannelGraph, groups: Iterable<number>) {
    this.weights = [...groups].flatMap((group) =>
      gatedVariables(model, graph, group).map((variable) => ({ group, variable, free: tf.clone(variable.read()), written: tf.clone(variable.read()) })),
    );
  }

  /** Sets new gates (one value per channel, for any of the gated groups) and writes the gated weights. */
  set(gates: ReadonlyMap<number, Float32Array>): void {
    this.sync();
    for (const [group, values] of gates) {
      this.gates.get(group)?.dispose();
      this.gates.set(group, tf.tensor1d(values));
    }
    for (const w of this.weights) if (gates.has(w.group)) this.write(w, this.gated(w));
  }

  /** Folds the updates made since the last write into the free weights, then writes them gated again. */
  sync(): void {
    for (const w of this.weights) {
      const current = w.variable.read();
      if (current.dataId === w.written.dataId) continue;
      const free = tf.tidy(() => tf.add(w.free, tf.sub(current, w.written)));
      w.free.dispose();
      w.free = free;
      this.write(w, this.gated(w));
    }
  }

  /** Runs `fn` on the ungated network (importance must see the free weights, or a gated channel could never recover). */
  async withoutGates<T>(fn: () => Promise<T>): Promise<T> {
    this.sync();
    for (const w of this.weights) w.variable.write(w.free);
    try {
      return await fn();
    } finally {
      for (const w of this.weights) w.variable.write(w.written);
    }
  }

  /** The free (ungated) weights of a layer's variable, e.g. 'block2_bn/gamma', for inspection. */
  free(originalName: string): tf.Tensor | undefined {
    return this.weights.find((w) => w.variable.originalName === originalName)?.free;
  }

  dispose(): void {
    for (const w of this.weights) tf.dispose([w.free, w.written]);
    tf.dispose([...this.gates.values()]);
    this.gates.clear();
  }

  private gated(w: GatedWeight): tf.Tensor {
    const gate = this.gates.get(w.group);
    // Channels lie on the last axis of gamma, beta, kernels and biases alike.
    return gate ? tf.tidy(() => tf.mul(w.free, gate)) : tf.clone(w.free);
  }

  private write(w: GatedWeight, value: tf.Tensor): void {
    w.written.dispose();
    w.written = value;
    w.variable.write(value);
  }
}

/**
 * What the gate scales while training: BN gamma and beta, else the producers' output weights (mask mode,
 * channel-mask.ts, silences the consumers' inputs instead).
 */
function gatedVariables(model: tfl.LayersModel, graph: ChannelGraph, groupId: number): tfl.LayerVariable[] {
  const group = graph.groups[groupId];
  // Batch norms on the group's channels alone (not after a concatenation or a depthwise conv's channel multiplier).
  const norms = group.followers
    .map((name) => model.getLayer(name))
    .filter((l) => l.getClassName() === 'BatchNormalization' && l.weights[0]?.shape.at(-1) === group.channels);
  if (norms.length > 0) return norms.flatMap((l) => l.weights.filter((w) => /(gamma|beta)$/.test(w.originalName)));
  return group.producers.flatMap((name) => model.getLayer(name).weights.filter((w) => w.shape.at(-1) === group.channels));
}
