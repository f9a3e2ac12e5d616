import type * as tfl from '@tensorflow/tfjs-layers';
import type { DemoOptions, DemoResult, ModelSummary } from '../api/contract.js';
import { type AssetReader, loadBuiltinSample } from '../data/builtin-sample.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../data/image-dataset.js';
import { buildChannelGraph } from '../graph/channel-graph.js';
import { getCriterion } from '../importance/registry.js';
import { measureLatency } from '../metrics/latency.js';
import { buildDemoCnn } from '../models/demo-cnn.js';
import { foldForInference } from '../models/fold-for-inference.js';
import { countFlops, countParameters, FLOPS_CONVENTION } from '../models/model-cost.js';
import { planPruning } from '../prune/budget.js';
import { pruneModel } from '../prune/surgery.js';
import { recalibrateBatchNorm } from '../train/batch-norm-recalibration.js';
import { throwIfCancelled } from '../train/cancellation.js';
import { evaluateAccuracy } from '../train/evaluate.js';
import { fit } from '../train/fit.js';
import type { ProgressListener } from '../train/progress.js';

export interface DemoContext {
  backend: string;
  readAsset: AssetReader;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

const LATENCY_BATCH = 64;

/**
 * The vertical slice: train the demo CNN on the built-in Fashion-MNIST sample, remove a share of its
 * FLOPs by L1-norm channel pruning (a physically smaller model), fine-tune, and compare.
 */
export async function runDemo(options: DemoOptions, context: DemoContext): Promise<DemoResult> {
  const started = performance.now();
  const { signal, onProgress } = context;
  const note = (stage: string, message: string) => onProgress?.({ stage, step: 0, total: 0, message });
  note('loading', 'Reading the built-in Fashion-MNIST sample');
  const { train, test } = await loadBuiltinSample(context.readAsset);
  const norm = channelStatistics(train);
  const baseline = buildDemoCnn({ inputShape: [train.height, train.width, train.channels], numClasses: train.classNames.length, seed: options.seed });
  let pruned: tfl.LayersModel | undefined;
  try {
    await fit(baseline, train, norm, { epochs: options.trainEpochs, batchSize: 64, learningRate: 2e-3, seed: options.seed, stage: 'training', signal, onProgress });
    note('evaluating', 'Measuring the baseline');
    const baselineSummary = await summarise(baseline, test, norm, signal);

    note('pruning', `Ranking channels by L1 norm to remove ${(options.flopsReduction * 100).toFixed(0)}% of the FLOPs`);
    const graph = buildChannelGraph(baseline);
    const criterion = getCriterion('l1');
    const scores = await criterion.scoreGroups({ model: baseline, graph, seed: options.seed });
    const plan = planPruning(graph, scores, { metric: 'flops', reduction: options.flopsReduction });
    pruned = await pruneModel(baseline, graph, plan.keep);
    throwIfCancelled(signal, 'Pruning');
    await recalibrateBatchNorm(pruned, train, norm, { seed: options.seed });
    const pruneOnlyAccuracy = await evaluateAccuracy(pruned, test, norm, signal);

    await fit(pruned, train, norm, { epochs: options.fineTuneEpochs, batchSize: 64, learningRate: 1e-3, seed: options.seed + 1, stage: 'fine-tuning', signal, onProgress });
    note('evaluating', 'Measuring the pruned model');
    const prunedSummary = await summarise(pruned, test, norm, signal);
    return {
      dataset: `${train.name.replace(' (train)', '')}: ${train.count} training, ${test.count} test images`,
      model: 'demo CNN (4 conv + BN + ReLU, GAP, dense)',
      criterion: criterion.label,
      backend: context.backend,
      flopsConvention: FLOPS_CONVENTION,
      baseline: baselineSummary,
      pruned: prunedSummary,
      pruneOnly: { accuracy: pruneOnlyAccuracy },
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    baseline.dispose();
    pruned?.dispose();
  }
}

async function summarise(model: tfl.LayersModel, test: ImageDataset, norm: Normalisation, signal?: AbortSignal): Promise<ModelSummary> {
  const accuracy = await evaluateAccuracy(model, test, norm, signal);
  // Latency of the model as it would be deployed: batch norm and ReLU folded into the convolutions.
  const deployable = await foldForInference(model);
  const latencyMs = await measureLatency(deployable, LATENCY_BATCH).finally(() => deployable.dispose());
  const layerWidths = model.layers
    .filter((l) => l.getClassName() === 'Conv2D' || l.getClassName() === 'Dense')
    .map((l) => ({ name: l.name, channels: (l.outputShape as number[]).at(-1)! }));
  return { accuracy, parameters: countParameters(model), flops: countFlops(model), latencyMs, latencyBatch: LATENCY_BATCH, layerWidths };
}
