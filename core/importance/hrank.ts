import { activationCriterion } from './feature-maps.js';
import { matrixRank } from './matrix-rank.js';

/**
 * HRank (Lin et al., CVPR 2020): the average rank of a channel's H x W feature map over the calibration
 * images. Low-rank maps carry less information, and the paper shows the average settles after a small
 * number of images. Maps after a dense layer are 1 x 1: their rank is 1 when non-zero, else 0.
 */
export const hrank = activationCriterion('hrank', 'Average feature-map rank (HRank)', async (maps) => {
  const [n, height, width, channels] = maps.shape;
  const values = await maps.data();
  const matrix = new Float64Array(height * width);
  const work = new Float64Array(height * width);
  const sums = new Float32Array(channels);
  for (let image = 0; image < n; image++) {
    const base = image * height * width * channels;
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < height * width; p++) matrix[p] = values[base + p * channels + c];
      sums[c] += matrixRank(matrix, height, width, work);
    }
  }
  return sums;
});
