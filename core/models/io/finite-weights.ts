import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelFormatError } from './model-errors.js';

/**
 * Fails when a weight holds NaN or infinite values (a model saved after its training diverged, or a
 * damaged file): every output would be NaN, and pruning scores would be meaningless. Names the first
 * few weights and how many values are bad.
 */
export function checkFiniteWeights(model: tfl.LayersModel, file: string): void {
  const bad: string[] = [];
  let weights = 0;
  for (const weight of model.weights) {
    if (weight.dtype !== 'float32') continue;
    const values = weight.read().dataSync() as Float32Array;
    let nan = 0;
    let infinite = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v - v !== 0) {
        if (Number.isNaN(v)) nan++;
        else infinite++;
      }
    }
    if (nan + infinite === 0) continue;
    weights++;
    if (bad.length < 3)
      bad.push(`'${weight.originalName}' (${[nan && `${nan} NaN`, infinite && `${infinite} infinite`].filter(Boolean).join(', ')} of ${values.length})`);
  }
  if (weights > 0) {
    throw new ModelFormatError(
      file,
      `${weights} weight array${weights === 1 ? ' holds' : 's hold'} NaN or infinite values: ${bad.join(', ')}${weights > 3 ? ', ...' : ''}; ` +
        'the model was saved after its training diverged, or the file is damaged',
    );
  }
}
