import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSummary, PruneConfig, PruneResult } from '../api/contract.js';
import { defaultAugmentation } from '../data/augmentation.js';
import { makeBatch } from '../data/batches.js';
import { channelStatistics, type ImageDataset, type Normalisation } from '../data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../data/random.js';
import { buildChannelGraph, type ChannelGraph } from '../graph/channel-graph.js';
import { getCriterion } from '../importance/registry.js';
import { measureLatency } from '../metrics/latency.js';
import { exportModel } from '../models/io/export-model.js';
import { MODEL_ZOO } from '../models/zoo.js';
import { foldForInference } from '../models/fold-for-inference.js';
import { countFlops, countParameters, FLOPS_CONVENTION } from '../models/model-cost.js';
import { planPruning, planUniform } from '../prune/budget.js';
import { scheduleFor } from '../prune/schedules/index.js';
import { recalibrateBatchNorm } from '../train/batch-norm-recalibration.js';
import { throwIfCancelled } from '../train/cancellation.js';
import { evaluateAccuracy } from '../train/evaluate.js';
import { fit } from '../train/fit.js';
import { loadRunData, loadRunModel, type RunHost } from './run-inputs.js';

export interface RunContext extends RunHost {
  backend: string;
  signal?: AbortSignal;
  onProgress?: (progress: { stage: string; step: number; total: number; message: string; metrics?: Record<string, number> }) => void;
}

const LATENCY_BATCH = 64;

/**
 * One pruning run: load the data and the model, train the baseline if asked, score channels with the
 * criterion, remove them to meet the target (a physically smaller model), re-estimate batch-norm
 * statistics, fine-tune, measure both models and export the pruned one if asked.
 */
export async function runPruning(config: PruneConfig, context: RunContext): Promise<PruneResult> {
  const started = performance.now();
  const { signal, onProgress } = context;
  // Mistakes in the choices fail before any work: an unknown criterion, layer or a target out of reach.
  const criterion = getCriterion(config.criterion);
  const schedule = scheduleFor(config);
  const note = (stage: string, message: string) => onProgress?.({ stage, step: 0, total: 0, message });
  note('loading', `Reading ${config.data}`);
  const data = await loadRunData(config, context);
  const { train, test } = data;
  const norm = channelStatistics(train);
  const augmentation = defaultAugmentation(data.imageKind);
  const baseline = await loadRunModel(config, train, context);
  let pruned: tfl.LayersModel | undefined;
  try {
    const graph = buildChannelGraph(baseline);
    const fixedRatios = layerRatiosByGroup(graph, config.layerRatios);
    const budget = { ...config.target, protect: config.protect, roundTo: config.roundTo, fixedRatios };
    const plan = config.ranking === 'uniform' ? planUniform : planPruning;
    plan(graph, uniformScores(graph), budget); // throws now, not after training, if the target is out of reach
    const training = { batchSize: config.batchSize, seed: config.seed, signal, onProgress, augmentation };
    // Baseline training and fine-tuning are the longest steps: on wasm they use one engine per core where the host has them.
    const parallel = context.backend === 'wasm' ? context.trainingReplicas : undefined;
    if (config.trainEpochs > 0) await fit(baseline, train, norm, { ...training, epochs: config.trainEpochs, learningRate: config.learningRate, stage: 'training', parallel });
    note('evaluating', 'Measuring the baseline');
    const baselineSummary = await summarise(baseline, test, norm, signal);

    note('scoring', `Scoring channels: ${criterion.label}`);
    const calibration = criterion.needs === 'weights' ? [] : calibrationBatches(train, norm, config);
    note('pruning', `Removing channels to cut ${(config.target.reduction * 100).toFixed(0)}% of the ${config.target.metric}, ${schedule.label}`);
    pruned = await schedule
      .run(baseline, {
        criterion,
        calibration,
        seed: config.seed,
        target: { ...config.target, protect: config.protect, roundTo: config.roundTo },
        ranking: config.ranking,
        fixedRatios: (g) => layerRatiosByGroup(g, config.layerRatios),
        train: async (model, o) => {
          // fit reports progress once after every optimizer step: the step hook rides on it.
          const onStep = (p: Parameters<NonNullable<typeof onProgress>>[0]) => {
            o.onStep?.();
            onProgress?.(p);
          };
          await fit(model, train, norm, { ...training, epochs: o.epochs, learningRate: config.learningRate / 2, stage: o.stage, onEpochEnd: o.onEpochEnd, onProgress: onStep });
        },
        note: (message) => note('pruning', message),
      })
      .finally(() => tf.dispose(calibration.flatMap((b) => [b.x, b.y])));
    throwIfCancelled(signal, 'Pruning');
    await recalibrateBatchNorm(pruned, train, norm, { seed: config.seed });
    const pruneOnlyAccuracy = await evaluateAccuracy(pruned, test, norm, signal);

    if (config.fineTuneEpochs > 0) {
      await fit(pruned, train, norm, { ...training, epochs: config.fineTuneEpochs, learningRate: config.learningRate / 2, seed: config.seed + 1, stage: 'fine-tuning', parallel });
    }
    note('evaluating', 'Measuring the pruned model');
    const prunedSummary = await summarise(pruned, test, norm, signal);
    const exported = config.export ? await exportTo(pruned, config.export, context) : [];
    return {
      dataset: `${data.label}: ${train.count} training, ${test.count} test images`,
      model: MODEL_ZOO.find((e) => e.id === config.model)?.label ?? config.model,
      criterion: criterion.label,
      target: config.target,
      backend: context.backend,
      flopsConvention: FLOPS_CONVENTION,
      baseline: baselineSummary,
      pruned: prunedSummary,
      pruneOnly: { accuracy: pruneOnlyAccuracy },
      seconds: (performance.now() - started) / 1000,
      exported,
      warnings: data.warnings,
    };
  } finally {
    baseline.dispose();
    pruned?.dispose();
  }
}

export class UnknownLayerError extends Error {
  override name = 'UnknownLayerError';
}

function uniformScores(graph: ChannelGraph): Map<number, Float32Array> {
  return new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, new Float32Array(g.channels).fill(1)]));
}

/** Hand-set ratios by layer name, as ratios by channel group (the group that layer writes). */
function layerRatiosByGroup(graph: ChannelGraph, ratios: Record<string, number> | undefined): Map<number, number> | undefined {
  if (!ratios) return undefined;
  return new Map(
    Object.entries(ratios).map(([layer, ratio]) => {
      const group = graph.groups.find((g) => g.producers.includes(layer));
      if (!group || !group.prunable) {
        const names = graph.groups.filter((g) => g.prunable).flatMap((g) => g.producers);
        throw new UnknownLayerError(`No prunable layer '${layer}'. Prunable layers: ${names.join(', ')}`);
      }
      return [group.id, ratio];
    }),
  );
}

/** The first `calibrationBatches` batches of a seeded shuffle of the training set, for data criteria. */
function calibrationBatches(train: ImageDataset, norm: Normalisation, config: PruneConfig) {
  const order = shuffledIndices(train.count, seededRandom(config.seed + 7));
  const batches = [];
  for (let b = 0; b < config.calibrationBatches && b * config.batchSize < train.count; b++) {
    batches.push(makeBatch(train, order.subarray(b * config.batchSize, (b + 1) * config.batchSize), norm));
  }
  return batches;
}

async function exportTo(model: tfl.LayersModel, target: NonNullable<PruneConfig['export']>, host: RunHost): Promise<string[]> {
  if (!host.writeFiles) throw new Error('This engine host cannot write files; export the model from a desktop or command-line host.');
  return host.writeFiles(target.path, await exportModel(model, target.format));
}

async function summarise(model: tfl.LayersModel, test: ImageDataset, norm: Normalisation, signal?: AbortSignal): Promise<ModelSummary> {
  const accuracy = await evaluateAccuracy(model, test, norm, signal);
  // Latency of the model as it would be deployed: batch norm and ReLU folded into the convolutions.
  const deployable = await foldForInference(model);
  const latencyMs = await measureLatency(deployable, LATENCY_BATCH).finally(() => deployable.dispose());
  const layerWidths = model.layers
    .filter((l) => ['Conv2D', 'Dense', 'SeparableConv2D'].includes(l.getClassName()))
    .map((l) => ({ name: l.name, channels: (l.outputShape as number[]).at(-1)! }));
  return { accuracy, parameters: countParameters(model), flops: countFlops(model), latencyMs, latencyBatch: LATENCY_BATCH, layerWidths };
}
