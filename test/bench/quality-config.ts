import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PruneConfig } from '../../core/api/contract.js';
import { ROOT } from './paths.js';
import { flagValue } from './args.js';

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

/**
 * Fashion-MNIST's table: the same baseline recipe, one pass fewer of fine-tuning (one soft-pruning pass fewer for the
 * continuous schedule), so that its 34 runs fit about an hour on this shared 2-core machine.
 */
export const FASHION_BUDGET: QualityBudget = { ...FULL_BUDGET, fineTune: { images: 1_000, epochs: 3, softEpochs: 2 } };

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

/** A data set the table can be measured on; CIFAR-10 keeps the file names it had before there was a choice. */
export interface QualityDataset {
  id: 'cifar10' | 'fashion-mnist';
  /** How the report and the plot name it. */
  label: string;
  /** Which images, in the report's words. */
  description: string;
  /** Layout of its files, for test/bench/torch_quality.py. */
  format: 'cifar' | 'idx';
  /** What Pruneflow's recipe does with it (core/data/augmentation.ts picks by image kind); PyTorch does the same. */
  augmentation: 'crop-flip' | 'none';
  /** How it was augmented, in the report's words. */
  augmentationText: string;
  /** Test images every model is measured on. */
  testImages: number;
  /** The sizes of its full table (`--quick` uses QUICK_BUDGET for every data set). */
  budget: QualityBudget;
}

export const CIFAR10: QualityDataset = {
  id: 'cifar10',
  label: 'CIFAR-10 subset',
  description: 'The CIFAR-10 subset in `../shared/data/cifar10-subset/` (32x32 colour images; 2,000 test images).',
  format: 'cifar',
  augmentation: 'crop-flip',
  augmentationText: 'random crops of the image zero-padded by 4 and horizontal flips',
  testImages: 2_000,
  budget: FULL_BUDGET,
};

export const FASHION_MNIST: QualityDataset = {
  id: 'fashion-mnist',
  label: 'Fashion-MNIST subset',
  description:
    'The first 10,000 of the 60,000 training images and the first 2,000 of the 10,000 test images of Fashion-MNIST ' +
    '(`/usr/share/datasets/fashion-mnist/`, IDX files; 28x28 grey images, so the ResNet-20 takes 28x28x1 inputs).',
  format: 'idx',
  augmentation: 'none',
  augmentationText: 'no augmentation (Pruneflow gives IDX data sets none)',
  testImages: 2_000,
  budget: FASHION_BUDGET,
};

export const DATASETS: readonly QualityDataset[] = [CIFAR10, FASHION_MNIST];

export class UnknownQualityDatasetError extends Error {
  override name = 'UnknownQualityDatasetError';
}

/** The data set named by `--data <id>` (or `--data=<id>`); CIFAR-10 without one. */
export function datasetFromArgs(args: readonly string[]): QualityDataset {
  const id = flagValue(args, '--data');
  if (id === undefined) return CIFAR10;
  const dataset = DATASETS.find((d) => d.id === id);
  if (!dataset) throw new UnknownQualityDatasetError(`--data ${id || '(missing)'}: the quality benchmark knows ${DATASETS.map((d) => d.id).join(', ')}`);
  return dataset;
}

export interface QualityPaths {
  /** Trained baseline (tfjs format) and its recipe. */
  baselineDir: string;
  results: string;
  plot: string;
  /** Where the markdown section goes: the shared report (full) or a file of its own (quick). */
  report: 'docs' | string;
  /** Its section's id in docs/benchmarks.md. */
  section: string;
  /** Scratch folder for the data subsets. */
  scratch: string;
}

const source = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

export function qualityPaths(mode: QualityBudget['mode'], dataset: QualityDataset = CIFAR10): QualityPaths {
  const suffix = dataset.id === 'cifar10' ? '' : `-${dataset.id}`;
  const section = `quality${suffix}`;
  if (mode === 'quick') {
    const dir = join(tmpdir(), `pruneflow-quality-quick${suffix}`);
    return {
      baselineDir: join(dir, 'baseline'),
      results: join(dir, 'results.json'),
      plot: join(dir, 'quality-plot.svg'),
      report: join(dir, 'section.md'),
      section,
      scratch: join(dir, 'subset'),
    };
  }
  return {
    baselineDir: source(`test/bench/baselines/resnet20-${dataset.id === 'cifar10' ? 'cifar10' : dataset.id}-subset`),
    results: source(`test/bench/quality-results${suffix}.json`),
    plot: source(`docs/quality-plot${suffix}.svg`),
    report: 'docs',
    section,
    scratch: join(tmpdir(), `pruneflow-quality-subset${suffix}`),
  };
}

/** The CIFAR-10 subset beside the checkout (../shared), or where PRUNEFLOW_BENCH_DATA points (worktrees). */
export function cifarSubsetPath(): string {
  return process.env.PRUNEFLOW_BENCH_DATA ?? join(ROOT, '../shared/data/cifar10-subset');
}

/** The Fashion-MNIST IDX files as the system installs them, or where PRUNEFLOW_FASHION_DATA points. */
export function fashionMnistPath(): string {
  return process.env.PRUNEFLOW_FASHION_DATA ?? '/usr/share/datasets/fashion-mnist';
}
