import * as tf from '@tensorflow/tfjs-core';

/** An optimizer's state as bytes and tfjs weight specs (the layout of `tf.io.encodeWeights`). */
export interface OptimizerState {
  specs: tf.io.WeightsManifestEntry[];
  data: Uint8Array;
}

export class OptimizerStateError extends Error {
  override name = 'OptimizerStateError';
}

/** Adam's running powers of beta1 and beta2: private fields of tfjs's AdamOptimizer. */
type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
const ACC_BETAS = ['accBeta1', 'accBeta2'] as const;

/**
 * Everything the optimizer carries from step to step: the iteration count and the moments or momenta
 * (`getWeights`), and for Adam the running powers of beta. tfjs's `setWeights` recomputes those as
 * pow(beta, t + 1), which need not equal to the last bit the product the steps built, so they are saved
 * as they are: a restored optimizer then takes the same steps, bit for bit.
 */
export async function saveOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const weights = await optimizer.getWeights();
  const internals = optimizer as unknown as AdamInternals;
  const extra = ACC_BETAS.filter((name) => internals[name]).map((name) => ({ name: `pruneflow/${name}`, tensor: internals[name]! as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights([...weights, ...extra]);
  // getWeights makes a new tensor for the iteration count; the moments are the live variables.
  weights[0].tensor.dispose();
  return { specs, data: new Uint8Array(data) };
}

/**
 * Puts a saved state into a fresh optimizer of the same kind for a model with the same trainable
 * weights. `shapes` are those weights' shapes in order; a state made for another model is refused.
 */
export async function loadOptimizerState(optimizer: tf.Optimizer, state: OptimizerState, shapes: readonly number[][]): Promise<void> {
  const extras = state.specs.filter((s) => s.name.startsWith('pruneflow/'));
  const own = state.specs.filter((s) => !s.name.startsWith('pruneflow/'));
  const slots = own.length - 1; // after the iteration count: one (momentum) or two (Adam) per weight
  const perWeight = slots / shapes.length;
  if (!(perWeight === 1 || perWeight === 2) || own.slice(1).some((s, i) => !sameShape(s.shape, shapes[i % shapes.length]))) {
    throw new OptimizerStateError(`The saved optimizer state (${slots} tensors) does not fit this model (${shapes.length} trainable weights)`);
  }
  const buffer = state.data.buffer.slice(state.data.byteOffset, state.data.byteOffset + state.data.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(buffer, state.specs);
  try {
    await optimizer.setWeights(own.map((s) => ({ name: s.name, tensor: named[s.name] })));
    const internals = optimizer as unknown as AdamInternals;
    for (const spec of extras) {
      const variable = internals[spec.name.slice('pruneflow/'.length) as (typeof ACC_BETAS)[number]];
      if (!variable) throw new OptimizerStateError(`The saved optimizer state has ${spec.name}, which this optimizer does not keep`);
      variable.assign(named[spec.name]);
    }
  } finally {
    // setWeights made variables of its own from these.
    tf.dispose(Object.values(named));
  }
}

function sameShape(a: readonly number[], b: readonly number[] | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((n, i) => n === b[i]);
}
