import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { CipSettings } from './cip-settings.js';

/**
 * ||W_{d,c}||_1 as a row-major [inChannels, outChannels] matrix: summed over the kernel window, and for a
 * dense layer after a flatten over each channel's positions (rows p * C + c, channels-last), which is
 * section 3's "a channel's share is the sum over its spatial positions".
 */
export function kernelMagnitude(layer: tfl.layers.Layer, inChannels: number): Float32Array {
  const weights = layer.getWeights();
  if (layer.getClassName() === 'GroupedConv2D') return blockDiagonal(weights[0], inChannels);
  if (layer.getClassName() !== 'SeparableConv2D') return summedOverTaps(weights[0], inChannels);
  // Separable: input c reaches output d through its depthwise filter, then the pointwise weight.
  const depthwise = summedOverTaps(weights[0], inChannels);
  const pointwise = summedOverTaps(weights[1], inChannels);
  const outChannels = pointwise.length / inChannels;
  return pointwise.map((w, i) => w * depthwise[Math.floor(i / outChannels)]);
}

/**
 * A grouped convolution's kernel [kh, kw, in / groups, out] as the [in, out] matrix of a plain convolution that
 * computes the same: output d of conv group g reads only that group's inputs, every other entry is 0 (so
 * relevance flows within each group only).
 */
function blockDiagonal(kernel: tf.Tensor, inChannels: number): Float32Array {
  const perGroup = kernel.shape[kernel.rank - 2];
  const outChannels = kernel.shape[kernel.rank - 1];
  const outPerGroup = outChannels / (inChannels / perGroup);
  const own = summedOverTaps(kernel, perGroup);
  const full = new Float32Array(inChannels * outChannels);
  for (let i = 0; i < perGroup; i++) {
    for (let d = 0; d < outChannels; d++) full[(Math.floor(d / outPerGroup) * perGroup + i) * outChannels + d] = own[i * outChannels + d];
  }
  return full;
}

/** A [..., in, out] kernel as [in, out] sums of |w| over the leading axes (a plain loop: tf reductions over axis 0 transpose). */
function summedOverTaps(kernel: tf.Tensor, inChannels: number): Float32Array {
  const values = kernel.dataSync();
  const plane = inChannels * kernel.shape[kernel.rank - 1];
  const sums = new Float32Array(plane);
  for (let i = 0; i < values.length; i++) sums[i % plane] += Math.abs(values[i]);
  return sums;
}

/**
 * Section 3 for one consumer: C_{d,c} = s_d ||W_{d,c}||_1 mu_c, P_{d,c} = C_{d,c} / (sum_c' C_{d,c'} + eps)
 * (or P = C without row normalisation), and the message r_c = sum_d P_{d,c} I_d to its input channels.
 */
export function consumerMessage(
  magnitude: Float32Array,
  fold: Float32Array | undefined,
  mu: Float32Array,
  importance: Float32Array,
  { eps, rowNormalisation }: CipSettings,
): Float32Array {
  const inChannels = mu.length;
  const outChannels = importance.length;
  const message = new Float64Array(inChannels);
  for (let d = 0; d < outChannels; d++) {
    const s = fold ? fold[d] : 1;
    let row = 0;
    if (rowNormalisation) for (let c = 0; c < inChannels; c++) row += s * magnitude[c * outChannels + d] * mu[c];
    const weight = rowNormalisation ? importance[d] / (row + eps) : importance[d];
    if (weight === 0) continue;
    for (let c = 0; c < inChannels; c++) message[c] += s * magnitude[c * outChannels + d] * mu[c] * weight;
  }
  return Float32Array.from(message);
}

/**
 * Section 3, depthwise conv: P is diagonal, C_c = s_c ||W_c||_1 mu_c, normalised to C / (C + eps). With a
 * channel multiplier m, output d = c * m + j reads input c alone (each row of P has one entry): input c gets
 * the sum over its m outputs.
 */
export function depthwiseMessage(
  layer: tfl.layers.Layer,
  fold: Float32Array | undefined,
  mu: Float32Array,
  relevance: Float32Array,
  settings: CipSettings,
): Float32Array {
  const magnitude = kernelMagnitude(layer, mu.length);
  const multiplier = relevance.length / mu.length;
  const message = new Float32Array(mu.length);
  relevance.forEach((r, d) => {
    const c = Math.floor(d / multiplier);
    const contribution = (fold ? fold[d] : 1) * magnitude[d] * mu[c];
    message[c] += r * (settings.rowNormalisation ? contribution / (contribution + settings.eps) : contribution);
  });
  return message;
}
