import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGraph } from '../graph/channel-graph.js';
import { type GateState, GatedVariables, type TrainingGates } from '../train/gated-variables.js';

/**
 * Per-channel gates m in [0, 1] on the prunable groups (CIP-SPEC section 5). A gate scales a group's
 * batch-norm gamma and beta (its BN output), or, without batch norm, its producers' output weights.
 *
 * The gates are applied by rewriting weights (GatedVariables): the model holds m * w_free, the free weights live
 * there. The forward pass therefore always sees the gated network, while the update, computed for m * w_free,
 * lands unscaled on w_free: the gate is a constant in the backward pass and gated-down channels keep learning
 * (straight-through, SFP's soft property). Gates must stay above 0 while training: at exactly 0 the ReLU's
 * derivative is 0 and the channel would get no gradient at all. As `TrainingGates`, fit folds them after its own
 * steps and hands them to data-parallel replicas.
 */
export class SoftGates implements TrainingGates {
  private readonly variables: GatedVariables;
  /** Each gated variable's group and its index in `model.trainableWeights`. */
  private readonly gated: { group: number; weight: number; name: string }[];

  constructor(model: tfl.LayersModel, graph: ChannelGraph, groups: Iterable<number>) {
    const trainable = model.trainableWeights;
    const chosen = [...groups].flatMap((group) => gatedVariables(model, graph, group).map((variable) => ({ group, variable })));
    this.variables = new GatedVariables(chosen.map((c) => c.variable));
    this.gated = chosen.map(({ group, variable }) => ({ group, weight: trainable.indexOf(variable), name: variable.originalName }));
  }

  /** Sets new gates (one value per channel, for any of the gated groups) and writes the gated weights. */
  set(gates: ReadonlyMap<number, Float32Array>): void {
    const byVariable = new Map<number, Float32Array>();
    this.gated.forEach(({ group }, i) => {
      const values = gates.get(group);
      if (values) byVariable.set(i, values);
    });
    this.variables.setGates(byVariable);
  }

  /** Folds the updates made since the last write into the free weights, then writes them gated again. */
  sync(): void {
    this.variables.sync();
  }

  /** The trainable gated weights (a frozen one never changes in a step: replicas get its gated value as it is). */
  state(): GateState {
    const trainable = this.trainablePositions();
    const [gates, free] = [this.variables.gateValues(), this.variables.freeValues()];
    return { weights: trainable.map((i) => this.gated[i].weight), gates: trainable.map((i) => gates[i]), free: trainable.map((i) => free[i]) };
  }

  adopt(free: readonly Float32Array[]): void {
    const all = this.variables.freeValues();
    this.trainablePositions().forEach((position, k) => (all[position] = free[k]));
    this.variables.load(all);
  }

  private trainablePositions(): number[] {
    return this.gated.flatMap((g, i) => (g.weight >= 0 ? [i] : []));
  }

  /** Runs `fn` on the ungated network (importance must see the free weights, or a gated channel could never recover). */
  withoutGates<T>(fn: () => Promise<T>): Promise<T> {
    return this.variables.withoutGates(fn);
  }

  /** The free (ungated) weights of a layer's variable, e.g. 'block2_bn/gamma', for inspection. */
  free(originalName: string): tf.Tensor | undefined {
    const i = this.gated.findIndex((g) => g.name === originalName);
    return i < 0 ? undefined : this.variables.free(i);
  }

  dispose(): void {
    this.variables.dispose();
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
