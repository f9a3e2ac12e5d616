import * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig, type PruneResult } from '../../../core/api/contract.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { countFlops, countParameters } from '../../../core/models/model-cost.js';
import type { HistoryStep, Project, StoredSession } from '../../../core/project/project.js';
import { historyStep } from '../../../core/project/pruning-history.js';
import { modelWeights, storeModel } from '../../../core/project/stored-model.js';
import { type PruningSchedule, type ScheduleContext } from '../../../core/prune/schedules/index.js';

/** conv 'c1' (8) -> BN -> ReLU -> conv 'c2' (8) -> BN -> ReLU -> GAP -> 'fc' (3 classes), on 8x8x3 images. */
export function tinyModel(seed = 1): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3], name: 'image' });
  let x = input;
  for (const name of ['c1', 'c2']) {
    x = tfl.layers
      .conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }) })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ name: `${name}_bn` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `${name}_relu` }).apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  const fc = tfl.layers.dense({ units: 3, name: 'fc', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: fc });
}

/** A weight criterion, no data, no training: enough to drive the schedules' real planning and surgery. */
export function weightContext(overrides: Partial<ScheduleContext> = {}): ScheduleContext {
  return {
    criterion: getCriterion('l1'),
    calibration: [],
    seed: 1,
    target: { metric: 'flops', reduction: 0.5, protect: 0.1 },
    ranking: 'global',
    train: async () => undefined,
    ...overrides,
  };
}

/** Runs a schedule, recording its history the way a session does. */
export async function runRecorded(
  schedule: PruningSchedule,
  baseline: tfl.LayersModel,
  context: ScheduleContext,
): Promise<{ pruned: tfl.LayersModel; history: HistoryStep[] }> {
  const history: HistoryStep[] = [];
  const pruned = await schedule.run(baseline, { ...context, onPlan: (step, graph, plan, scores) => history.push(historyStep(step, graph, plan.keep, scores)) });
  return { pruned, history };
}

function summary(model: tfl.LayersModel, accuracy: number) {
  return { accuracy, parameters: countParameters(model), flops: countFlops(model), latencyMs: 1.5, latencyBatch: 64, layerWidths: [] };
}

/** A session as a run records it: config, history, metrics, environment, result and the pruned weights. */
export async function sessionOf(id: string, baseline: tfl.LayersModel, pruned: tfl.LayersModel, history: HistoryStep[]): Promise<StoredSession> {
  // The defaults of the session-9 projects: criterion l1, and `roundTo: 1` after `protect`, where they held it until a
  // run could choose its own rounding. The project's bytes stay as they were, so the fuzz regressions' mutation
  // offsets (test/bench/fuzz/regressions.ts) land as before.
  const defaults = Object.entries({ ...DEFAULT_PRUNE_CONFIG, criterion: 'l1' }).flatMap(([key, value]) =>
    key === 'protect'
      ? [
          [key, value],
          ['roundTo', 1],
        ]
      : [[key, value]],
  );
  const config: PruneConfig = { ...(Object.fromEntries(defaults) as typeof DEFAULT_PRUNE_CONFIG), model: 'tiny', data: '/data/tiny' };
  const result: PruneResult = {
    dataset: 'tiny',
    model: 'tiny',
    criterion: 'L1',
    target: config.target,
    backend: 'wasm',
    flopsConvention: 'MACs',
    baseline: summary(baseline, 0.9),
    pruned: summary(pruned, 0.875),
    pruneOnly: { accuracy: 0.5 },
    seconds: 3.25,
    exported: [],
    warnings: [],
  };
  const weights = await modelWeights(pruned);
  return {
    record: {
      id,
      name: `session ${id}`,
      config,
      status: 'done',
      started: '2026-11-27T10:00:00.000Z',
      finished: '2026-11-27T10:05:00.000Z',
      environment: { backend: 'wasm', host: 'test', machine: { platform: 'linux' }, versions: { pruneflow: '0.1.0' } },
      history,
      metrics: [{ stage: 'fine-tuning', step: 1, total: 2, message: 'epoch 1/1', metrics: { loss: 1.25, accuracy: 0.5 } }],
      result,
      weightSpecs: weights.specs,
    },
    weights: weights.data,
  };
}

export async function projectOf(baseline: tfl.LayersModel, sessions: StoredSession[]): Promise<Project> {
  return {
    created: '2026-11-27T09:00:00.000Z',
    modified: '2026-11-27T10:05:00.000Z',
    appVersion: '0.1.0',
    dataset: { path: '/data/tiny', format: 'cifar10-python', contentHash: `sha256:${'ab'.repeat(32)}`, files: 4, bytes: 1234 },
    baseline: await storeModel(baseline, 'tiny', 3),
    sessions,
    unknown: { manifest: {}, project: {}, parts: new Map() },
  };
}
