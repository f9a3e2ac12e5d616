import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PruneConfig } from '../../core/api/contract.js';
import { ROOT } from './paths.js';

/** The pruning-quality benchmark's method: sizes, methods, cuts and seeds all live here. */
export interface QualityBudget {
  mode: 'full' | 'quick';
  /** Baseline training from scratch (the recipe of `runPruning`'s baseline training: Adam, cosine, crops and flips). */
  baseline: { images: number; epochs: number; learningRate: number; batchSize: number };
  /**
   * Every pruned model gets the same number of passes over the same `images` training images: `epochs` of
   * fine-tuning after one-shot pruning; for the continuous schedule `softEpochs` of them are its soft-pruning phase.
   */
  fineTune: { images: number; epochs: number; softEpochs: number };
  calibrationBatches: number;
  cuts: readonly number[];
  /** Extra seeds for `seededMethods` at `seededCut` (seed 1 is the main table's). */
  extraSeeds: readonly number[];
  seededMethods: readonly string[];
  seededCut: number;
}

export const FULL_BUDGET: QualityBudget = {
  mode: 'full',
  baseline: { images: 10_000, epochs: 4, learningRate: 2e-3, batchSize: 64 },
  fineTune: { images: 1_000, epochs: 4, softEpochs: 3 },
  calibrationBatches: 5,
  cuts: [0.3, 0.5, 0.7],
  extraSeeds: [2, 3],
  seededMethods: ['random', 'l1', 'cip'],
  seededCut: 0.5,
};

/** Tiny sizes that run every step of the harness in a few minutes (`--quick`). */
export const QUICK_BUDGET: QualityBudget = {
  mode: 'quick',
  baseline: { images: 256, epochs: 1, learningRate: 2e-3, batchSize: 64 },
  fineTune: { images: 192, epochs: 2, softEpochs: 1 },
  calibrationBatches: 2,
  cuts: [0.5],
  extraSeeds: [2],
  seededMethods: ['l1'],
  seededCut: 0.5,
};

export interface QualityMethod {
  id: string;
  label: string;
  criterion: string;
  schedule: PruneConfig['schedule'];
}

export const METHODS: readonly QualityMethod[] = [
  { id: 'random', label: 'random', criterion: 'random', schedule: 'one-shot' },
  { id: 'l1', label: 'L1 norm', criterion: 'l1', schedule: 'one-shot' },
  { id: 'bn-scale', label: 'BN scale', criterion: 'bn-scale', schedule: 'one-shot' },
  { id: 'fpgm', label: 'FPGM', criterion: 'fpgm', schedule: 'one-shot' },
  { id: 'taylor', label: 'Taylor', criterion: 'taylor', schedule: 'one-shot' },
  { id: 'hrank', label: 'HRank', criterion: 'hrank', schedule: 'one-shot' },
  { id: 'nisp', label: 'NISP', criterion: 'nisp', schedule: 'one-shot' },
  { id: 'cip', label: 'CIP one-shot', criterion: 'cip', schedule: 'one-shot' },
  { id: 'cip-continuous', label: 'CIP continuous', criterion: 'cip', schedule: 'continuous' },
];

/** Methods the 50% column and the plot care about most run first, so a cut-short run still answers the question. */
export const FIRST_METHODS = ['l1', 'random', 'cip', 'cip-continuous'];

/**
 * The matched pair for the PyTorch reference: L1 removing half of every residual block's inner channels
 * (first convolution of each block), nothing else, so both engines prune to exactly the same shape.
 */
export const BLOCK_RATIO = 0.5;
export const MATCHED_ID = 'l1-blocks';

export interface QualityPaths {
  /** Trained baseline (tfjs format) and its recipe. */
  baselineDir: string;
  results: string;
  plot: string;
  /** Where the markdown section goes: the shared report (full) or a file of its own (quick). */
  report: 'docs' | string;
  /** Scratch folder for the fine-tuning subset. */
  scratch: string;
}

const source = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

export function qualityPaths(mode: QualityBudget['mode']): QualityPaths {
  if (mode === 'quick') {
    const dir = join(tmpdir(), 'pruneflow-quality-quick');
    return { baselineDir: join(dir, 'baseline'), results: join(dir, 'results.json'), plot: join(dir, 'quality-plot.svg'), report: join(dir, 'section.md'), scratch: join(dir, 'subset') };
  }
  return {
    baselineDir: source('test/bench/baselines/resnet20-cifar10-subset'),
    results: source('test/bench/quality-results.json'),
    plot: source('docs/quality-plot.svg'),
    report: 'docs',
    scratch: join(tmpdir(), 'pruneflow-quality-subset'),
  };
}

/** The CIFAR-10 subset beside the checkout (../shared), or where PRUNEFLOW_BENCH_DATA points (worktrees). */
export function cifarSubsetPath(): string {
  return process.env.PRUNEFLOW_BENCH_DATA ?? join(ROOT, '../shared/data/cifar10-subset');
}
