import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_PRUNE_CONFIG } from '../api/contract.js';
import { channelStatistics } from '../data/image-dataset.js';
import { statisticsSample } from '../data/streaming/statistics-sample.js';
import { countFlops, countParameters } from '../models/model-cost.js';
import { type ClassAccuracy, classAccuracy } from '../train/class-accuracy.js';
import type { ProgressListener } from '../train/progress.js';
import { loadRunInputs, type RunHost } from './run-inputs.js';
import { resolveRunInput } from './run-input.js';
import { InputContractError } from '../models/input-contract.js';
import { ForwardChooser } from '../backend/forward-runner.js';

export interface ModelEvaluation extends ClassAccuracy {
  model: string;
  dataset: string;
  images: number;
  parameters: number;
  flops: number;
  warnings: string[];
}

/**
 * A model's accuracy on a data set's test split, overall and per class. Images are normalised with the
 * training split's statistics, as training did. `open` gives the model where it is not a built-in id or a
 * model file (a project session); a built-in model is built, untrained, for the data.
 */
export async function evaluateModel(
  request: { model: string; data: string; seed?: number; classNames?: string[]; open?: () => Promise<tfl.LayersModel> },
  context: RunHost & { signal?: AbortSignal; onProgress?: ProgressListener },
): Promise<ModelEvaluation> {
  const config = {
    ...DEFAULT_PRUNE_CONFIG,
    model: request.model,
    data: request.data,
    seed: request.seed ?? DEFAULT_PRUNE_CONFIG.seed,
    ...(request.classNames && { classNames: request.classNames }),
  };
  const { data, model } = await loadRunInputs(config, context, request.open);
  try {
    const warnings = [...data.warnings];
    let norm;
    try {
      const input = await resolveRunInput(config, data.train, model, context);
      norm = input.norm;
      warnings.push(input.message);
    } catch (error) {
      // Evaluating says how badly the model does rather than refusing: the data set's statistics, and why.
      if (!(error instanceof InputContractError)) throw error;
      norm = channelStatistics(await statisticsSample(data.train));
      warnings.push(error.message);
    }
    const accuracy = await classAccuracy(model, data.test, norm, { ...context, forward: new ForwardChooser(context.forwardEngine) });
    return {
      model: request.model,
      dataset: data.label,
      images: data.test.count,
      parameters: countParameters(model),
      flops: countFlops(model),
      ...accuracy,
      warnings,
    };
  } finally {
    model.dispose();
  }
}
