import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { CipSettings } from './cip-settings.js';

/** v / mean(v); all zeros when the mean is zero (a dead writer scores 0, not NaN). */
export function byMean(v: Float32Array): Float32Array {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return mean > 0 ? v.map((x) => x / mean) : new Float32Array(v.length);
}

/**
 * Section 2: a_c = phi_c * (kappa_c / mean kappa)^beta with phi_c = sigmoid(tau * z_c), z the within-layer
 * standardised log statistic (population std). Without the sigmoid, phi_c = mu_c: the statistic itself,
 * which makes alpha = beta = 0 the activation-mean criterion (section 7).
 */
export function localScore(mu: Float32Array, kappa: Float32Array, { tau, beta, eps, sigmoid }: CipSettings): Float32Array {
  let phi = mu;
  if (sigmoid) {
    const u = mu.map((m) => Math.log(m + eps));
    const { mean, std } = meanAndStd(u);
    phi = u.map((x) => 1 / (1 + Math.exp(-tau * ((x - mean) / (std + eps)))));
  }
  const k = byMean(kappa);
  return phi.map((p, c) => p * Math.pow(k[c], beta));
}

/** Mean and population standard deviation. */
export function meanAndStd(v: Float32Array): { mean: number; std: number } {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
}

/** Section 3: I = (1 - alpha) a / mean(a) + alpha r / mean(r). */
export function blend(a: Float32Array, r: Float32Array, alpha: number): Float32Array {
  const an = byMean(a);
  const rn = byMean(r);
  return an.map((x, c) => (1 - alpha) * x + alpha * rn[c]);
}

/** The batch-norm fold |gamma| / sqrt(var + eps_bn), with the layer's own epsilon (gamma = 1 when unscaled). */
export function batchNormFold(layer: tfl.layers.Layer): Float32Array {
  const weights = layer.getWeights();
  const config = layer.getConfig();
  const variance = weights[weights.length - 1].dataSync();
  const gamma = config.scale === false ? null : weights[0].dataSync();
  const epsilon = (config.epsilon as number | undefined) ?? 1e-3;
  return Float32Array.from(variance, (v, c) => Math.abs(gamma ? gamma[c] : 1) / Math.sqrt(v + epsilon));
}

/** ||W_c||_2 of each output channel's filter: kappa where no batch norm follows (section 2). */
export function filterNorms(layer: tfl.layers.Layer): Float32Array {
  // SeparableConv2D makes its channels in the pointwise kernel, its second weight.
  const kernel = layer.getWeights()[layer.getClassName() === 'SeparableConv2D' ? 1 : 0];
  return tf.tidy(() => {
    const matrix = tf.reshape(kernel, [-1, kernel.shape[kernel.rank - 1]]);
    return tf.sqrt(tf.sum(tf.square(matrix), 0)).dataSync() as Float32Array;
  });
}
