import * as tf from '@tensorflow/tfjs-core';
import type { PruneConfig, SensitivityReport } from '../api/contract.js';
import { defaultAugmentation } from '../data/augmentation.js';
import { buildChannelGraph } from '../graph/channel-graph.js';
import { checkCriterionFits, criterionFor } from '../importance/registry.js';
import { MODEL_ZOO } from '../models/zoo.js';
import { fit } from '../train/fit.js';
import { calibrationBatches, type RunContext } from './prune-run.js';
import { loadRunInputs, trainingEnginesFor } from './run-inputs.js';
import { resolveRunInput } from './run-input.js';
import { measureSensitivity } from './sensitivity-step.js';
import { ForwardChooser } from '../backend/forward-runner.js';

/**
 * A sensitivity analysis on its own: load the data and the model, train the baseline if asked, score
 * the channels with the criterion, then prune each group alone at each ratio (or read the cached table).
 */
export async function runSensitivity(config: PruneConfig, context: RunContext): Promise<SensitivityReport> {
  const started = performance.now();
  const { signal, onProgress } = context;
  const criterion = criterionFor(config);
  const forward = new ForwardChooser(context.forwardEngine);
  onProgress?.({ stage: 'loading', step: 0, total: 0, message: `Reading ${config.data}` });
  const { data, model } = await loadRunInputs(config, context);
  try {
    checkCriterionFits(criterion, model);
    const { norm } = await resolveRunInput(config, data.train, model, context);
    if (config.trainEpochs > 0) {
      const parallel = trainingEnginesFor(config, context);
      const augmentation = defaultAugmentation(data.imageKind);
      await fit(model, data.train, norm, {
        epochs: config.trainEpochs,
        batchSize: config.batchSize,
        learningRate: config.learningRate,
        seed: config.seed,
        signal,
        onProgress,
        augmentation,
        stage: 'training',
        parallel,
      });
    }
    const graph = buildChannelGraph(model);
    const calibration = criterion.needs === 'weights' ? [] : await calibrationBatches(data.train, norm, config);
    const onWarning = (message: string) => onProgress?.({ stage: 'scoring', step: 0, total: 1, message, warning: true });
    const scores = await criterion
      .scoreGroups({ model, graph, calibration, seed: config.seed, onWarning, forward })
      .finally(() => tf.dispose(calibration.flatMap((b) => [b.x, b.y])));
    const warnings = [...data.warnings];
    const { table, cached } = await measureSensitivity(model, graph, scores, data.train, norm, config, {
      cache: context.cache,
      signal,
      onProgress,
      warnings,
      forward,
    });
    return {
      dataset: `${data.label}: ${data.train.count} training, ${data.test.count} test images`,
      model: MODEL_ZOO.find((e) => e.id === config.model)?.label ?? config.model,
      criterion: criterion.label,
      backend: context.backend,
      table,
      cached,
      seconds: (performance.now() - started) / 1000,
      warnings,
      forwardPasses: forward.summary(),
    };
  } finally {
    model.dispose();
  }
}
