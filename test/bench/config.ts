import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendId } from '../../core/backend/backend-report.js';
import { buildCifarResNet } from '../../core/models/resnet-cifar.js';
import { buildSmallVgg } from '../../core/models/small-vgg.js';

/** What the bench measures and how long it may take: every number of the method lives here. */
export type ModelKey = 'small-vgg' | 'resnet20';
export type Phase = 'train' | 'infer';

export interface ModelSpec {
  key: ModelKey;
  label: string;
  build(): tfl.LayersModel;
  /** Published figures to check the tfjs model against, where there are any. */
  published?: { parameters: number; macs: number; source: string };
}

const input = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10, seed: 1 };

export const MODELS: readonly ModelSpec[] = [
  { key: 'small-vgg', label: 'small VGG', build: () => buildSmallVgg(input) },
  {
    key: 'resnet20',
    label: 'ResNet-20',
    build: () => buildCifarResNet(20, input),
    published: { parameters: 0.27e6, macs: 40.8e6, source: 'He et al. 2016 (0.27M parameters); HRank / thop (40.8M MACs)' },
  },
];

export const TRAIN_BATCH = 64;
export const INFER_BATCHES = [64, 256] as const;

/** How many steps one measurement runs. `softBudgetMs` stops timing more steps (after `minSteps`). */
export interface StepPlan {
  warmup: number;
  maxSteps: number;
  minSteps: number;
  softBudgetMs: number;
}

/** A measurement of one backend: its step plan, the hard cap after which its worker is killed. */
export interface BackendPlan {
  plan: StepPlan;
  hardCapMs: number;
  /** Batches of inference to measure (the pure-JS backend gets only the first). */
  inferBatches: readonly number[];
  /** Said in the report next to this backend's numbers. */
  note?: string;
}

const DEFAULT_PLAN: BackendPlan = {
  plan: { warmup: 2, maxSteps: 7, minSteps: 3, softBudgetMs: 20_000 },
  hardCapMs: 120_000,
  inferBatches: INFER_BATCHES,
};

/** The pure-JavaScript backend needs ~30 s per small-VGG training step and minutes per ResNet step. */
const CPU_PLAN: BackendPlan = {
  plan: { warmup: 0, maxSteps: 2, minSteps: 1, softBudgetMs: 15_000 },
  hardCapMs: 60_000,
  inferBatches: [INFER_BATCHES[0]],
  note: 'capped: no warm-up, at most 2 steps, killed after 60 s; batch 256 not run',
};

export function backendPlan(id: BackendId): BackendPlan {
  return id === 'cpu' ? CPU_PLAN : DEFAULT_PLAN;
}

/** The whole bench stops starting measurements after this (the pure-JS backend, measured last, is cut first). */
export const BENCH_BUDGET_MS = 330_000;

/** The PyTorch reference: fewer steps than tfjs need, since each is short. */
export const TORCH = { threads: 2, warmup: 2, steps: 7, timeoutMs: 180_000 } as const;

/** The project's targets for the wasm backend, as fractions of PyTorch's images per second. */
export const WASM_TARGETS = { train: 0.15, infer: 0.3 } as const;
