import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { countFlops, countParameters } from '../../core/models/model-cost.js';
import type { ModelKey, ModelSpec } from './config.js';

/** Parameter counts and FLOPs of the tfjs models, to check against PyTorch's and the published figures. */
export interface TfjsModelFacts {
  key: ModelKey;
  trainable: number;
  /** All weights, batch-norm moving statistics included (countParameters). */
  total: number;
  /** Multiply-accumulates of one image (countFlops). */
  macs: number;
}

export async function tfjsModelFacts(models: readonly ModelSpec[]): Promise<TfjsModelFacts[]> {
  // Building needs a backend; the plain one is enough and leaves wasm to the workers. Prod mode only
  // silences tfjs's console hints ("install tfjs-node"), which would interleave with the bench's log.
  tf.enableProdMode();
  await tf.setBackend('cpu');
  return models.map((spec) => {
    const model = spec.build();
    const trainable = model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    const facts = { key: spec.key, trainable, total: countParameters(model), macs: countFlops(model) };
    model.dispose();
    return facts;
  });
}
