import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { modelCalls } from '../models/model-calls.js';
import { backOffWarning, type ImportanceCriterion } from './criterion.js';
import { planFeatureMaps, requireCalibration, scoreFromImages } from './feature-maps.js';

/**
 * First-order Taylor importance (Molchanov et al., ICLR 2017; their CVPR 2019 paper keeps the
 * first-order term): |sum over positions of a * dL/da| per image, averaged over images, on the feature
 * map the group's readers see. That sum is the first-order change of the loss when the channel is
 * zeroed; the 2017 paper divides it by H * W, which changes no ranking within a layer.
 *
 * Gradients with respect to inner maps come from gates: each measured map is multiplied by ones of
 * shape [n, 1, 1, C], and dL/dgate[n, c] is exactly sum_{h,w} a * dL/da. One forward and one backward
 * pass per chunk give every map's term at once, whatever joins the layers (residual adds, concatenations):
 * the layers run in topological order on concrete tensors, in inference mode.
 */
export const taylor: ImportanceCriterion = {
  id: 'taylor',
  label: 'First-order Taylor (Molchanov et al.)',
  needs: 'gradients',
  async scoreGroups(context) {
    const batches = requireCalibration(context, 'taylor');
    const { model } = context;
    const plan = planFeatureMaps(model, context.graph);
    const gateOf = new Map(plan.tensors.map((t, i) => [t.id, i]));
    const loss = lossOf(model);
    return scoreFromImages(
      batches,
      plan,
      async (x, y) => {
        const n = x.shape[0];
        const sums = tf.tidy(() => {
          const gates = plan.tensors.map((t) => tf.ones([n, ...t.shape.slice(1, -1).map(() => 1), t.shape[t.shape.length - 1]!]));
          const grads = tf.grads((...g: tf.Tensor[]) =>
            loss(
              y,
              runLayers(model, x, (symbolic, value) => {
                const i = gateOf.get(symbolic.id);
                return i === undefined ? value : tf.mul(value, g[i]);
              }),
            ),
          )(gates);
          return grads.map((g) => tf.sum(tf.abs(tf.reshape(g, [n, -1])), 0));
        });
        return Promise.all(
          sums.map(async (s) => {
            const values = (await s.data()) as Float32Array;
            s.dispose();
            return values;
          }),
        );
      },
      8,
      backOffWarning(context),
    );
  },
};

/**
 * Summed over the chunk, so each image's gradient is its own loss's (batch norm runs in inference
 * mode: images do not interact). Zoo models output logits; a model that ends in a softmax gets the
 * cross-entropy of its probabilities.
 */
function lossOf(model: tfl.LayersModel): (y: tf.Tensor2D, output: tf.Tensor) => tf.Scalar {
  const last = model.outputs[0].sourceLayer;
  if (last.getClassName() === 'Softmax' || last.getConfig().activation === 'softmax') {
    return (y, p) => tf.neg(tf.sum(tf.mul(y, tf.log(tf.add(p, 1e-7))))) as tf.Scalar;
  }
  return (y, logits) => tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM) as tf.Scalar;
}

/** Runs the model's layers in order on concrete tensors; `hook` may replace any layer's output. */
function runLayers(model: tfl.LayersModel, x: tf.Tensor, hook: (symbolic: tfl.SymbolicTensor, value: tf.Tensor) => tf.Tensor): tf.Tensor {
  const values = new Map<number, tf.Tensor>([[model.inputs[0].id, x]]);
  const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);
  // Call by call: a shared layer runs once per call, each call's output hooked on its own.
  for (const call of modelCalls(model)) {
    const inputs = call.inputs.map((s) => values.get(s.id)!);
    const outputs = list(call.layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor | tf.Tensor[]);
    call.outputs.forEach((s, i) => values.set(s.id, hook(s, outputs[i])));
  }
  return values.get(model.outputs[0].id)!;
}
