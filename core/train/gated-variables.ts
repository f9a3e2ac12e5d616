import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Gated training as it travels to data-parallel replicas: which trainable weights (indices into
 * `model.trainableWeights`) are gated, each one's gate on its last axis (null: none yet) and its free value.
 */
export interface GateState {
  weights: number[];
  gates: (Float32Array | null)[];
  free: Float32Array[];
}

/** What fit needs from gated training: a fold after each step here, and the state replicas train with. */
export interface TrainingGates {
  /** Folds the update of the step just taken into the free weights and writes them gated again. */
  sync(): void;
  state(): GateState;
  /** The free values the replicas reached (same order as `state().weights`); writes them gated into the model. */
  adopt(free: readonly Float32Array[]): void;
}

interface GatedVariable {
  variable: tfl.LayerVariable;
  gate?: tf.Tensor;
  /** The ungated value: what training really updates. */
  free: tf.Tensor;
  /** free * gate, as last written into the model. */
  written: tf.Tensor;
}

/**
 * Variables trained under per-channel gates (the soft gates of CIP-SPEC section 5, applied by rewriting
 * weights, since tfjs-layers has no forward hook): the model holds gate * free and `sync()` after an optimizer
 * step moves the step's update (model - written) onto the free value, so the update lands unscaled (straight-
 * through). The same class runs in the session's engine and in every data-parallel replica.
 */
export class GatedVariables {
  private readonly entries: GatedVariable[];

  constructor(variables: readonly tfl.LayerVariable[]) {
    this.entries = variables.map((variable) => ({ variable, free: tf.clone(variable.read()), written: tf.clone(variable.read()) }));
  }

  /** New gates for some variables (by position), after folding what training changed; writes them gated. */
  setGates(gates: ReadonlyMap<number, Float32Array>): void {
    this.sync();
    for (const [i, values] of gates) {
      const entry = this.entries[i];
      entry.gate?.dispose();
      entry.gate = tf.tensor1d(values);
      this.write(entry);
    }
  }

  /** Folds the updates made since the last write into the free values, then writes them gated again. */
  sync(): void {
    for (const entry of this.entries) {
      const current = entry.variable.read();
      if (current.dataId === entry.written.dataId) continue;
      const free = tf.tidy(() => tf.add(entry.free, tf.sub(current, entry.written)));
      entry.free.dispose();
      entry.free = free;
      this.write(entry);
    }
  }

  /** Replaces the free values (and the gates, where given) without folding: the model's values are overwritten. */
  load(free: readonly Float32Array[], gates?: readonly (Float32Array | null)[]): void {
    if (free.length !== this.entries.length) throw new Error(`${free.length} free values for ${this.entries.length} gated weights`);
    this.entries.forEach((entry, i) => {
      entry.free.dispose();
      entry.free = tf.tensor(free[i], entry.variable.shape as number[], 'float32');
      const gate = gates?.[i];
      if (gate) {
        entry.gate?.dispose();
        entry.gate = tf.tensor1d(gate);
      }
      this.write(entry);
    });
  }

  freeValues(): Float32Array[] {
    return this.entries.map((e) => Float32Array.from(e.free.dataSync() as Float32Array));
  }

  gateValues(): (Float32Array | null)[] {
    return this.entries.map((e) => (e.gate ? Float32Array.from(e.gate.dataSync() as Float32Array) : null));
  }

  /** The free value of the i-th variable. */
  free(i: number): tf.Tensor {
    return this.entries[i].free;
  }

  /** Runs `fn` with the free values in the model, then writes the gated ones back. */
  async withoutGates<T>(fn: () => Promise<T>): Promise<T> {
    this.sync();
    for (const e of this.entries) e.variable.write(e.free);
    try {
      return await fn();
    } finally {
      for (const e of this.entries) e.variable.write(e.written);
    }
  }

  dispose(): void {
    for (const e of this.entries) tf.dispose([e.free, e.written, ...(e.gate ? [e.gate] : [])]);
  }

  private write(entry: GatedVariable): void {
    // Channels lie on the last axis of gamma, beta, kernels and biases alike.
    const value = entry.gate ? tf.tidy(() => tf.mul(entry.free, entry.gate!)) : tf.clone(entry.free);
    entry.written.dispose();
    entry.written = value;
    entry.variable.write(value);
  }
}
