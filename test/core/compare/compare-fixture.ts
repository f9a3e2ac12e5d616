import { DEFAULT_PRUNE_CONFIG, type ModelSummary } from '../../../core/api/contract.js';
import type { ComparedSession } from '../../../core/compare/select-sessions.js';
import type { SessionRecord } from '../../../core/project/project.js';

const WIDTHS = [
  ['conv1', 16],
  ['conv2', 32],
  ['dense', 10],
] as const;

function summary(accuracy: number, flops: number, keep = 1, top5?: number): ModelSummary {
  return {
    accuracy,
    ...(top5 !== undefined && { top5 }),
    flops,
    parameters: flops / 10,
    latencyMs: flops / 1e6,
    latencyBatch: 64,
    layerWidths: WIDTHS.map(([name, channels]) => ({ name, channels: name === 'dense' ? channels : Math.round(channels * keep) })),
  };
}

/** A finished session as a project records it, with the metrics a comparison reads; no result when `accuracy` is undefined. */
export function sessionRecord(id: string, name: string, accuracy?: number, flops = 100e6, keep = 0.5): SessionRecord {
  const config = { ...DEFAULT_PRUNE_CONFIG, criterion: 'l1', model: 'demo-cnn', data: 'builtin:fashion-mnist' };
  return {
    id,
    name,
    config,
    status: accuracy === undefined ? 'failed' : 'done',
    started: '2026-11-27T10:00:00.000Z',
    environment: { backend: 'wasm', host: 'test', machine: { cores: '2' }, versions: { node: '20' } },
    history: [{ step: 1, groups: [{ group: 0, producers: ['conv1'], channels: 16, removed: [0, 1, 2] }], scores: [] }],
    metrics: [],
    weightSpecs: [],
    ...(accuracy !== undefined && {
      result: {
        dataset: 'sample',
        model: 'Demo CNN',
        criterion: 'L1',
        target: config.target,
        backend: 'wasm',
        flopsConvention: 'FLOPs count multiply-accumulates',
        baseline: summary(0.9, 200e6, 1, 0.99),
        pruned: summary(accuracy, flops, keep, 0.98),
        pruneOnly: { accuracy: 0.5 },
        seconds: 12.5,
        exported: [],
        warnings: [],
      },
    }),
  };
}

export const compared = (project: string, record: SessionRecord): ComparedSession => ({ project, record });
