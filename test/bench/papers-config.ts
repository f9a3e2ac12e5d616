import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRUNE_CONFIG, type PruneConfig } from '../../core/api/contract.js';
import { cipSwitches } from '../../core/node/cli-prune-config.js';
import { flagValue } from './args.js';
import { fileURLToPath } from 'node:url';

/**
 * Issue 21's protocol (the pruning papers'): a 30-epoch PyTorch baseline of ResNet-20 with 1x1-conv shortcuts on the
 * CIFAR-10 subset, pruned to 30/50/70% fewer FLOPs with global ranking and fine-tuned 8 epochs with PyTorch's SGD
 * recipe, by Pruneflow and by Torch-Pruning (from source) side by side; `tiny` runs every path in minutes.
 */
export interface PapersProtocol {
  mode: 'full' | 'tiny';
  /** Training and test images taken from the front of the subset's files (all of them when absent). */
  images?: { train: number; test: number };
  baseline: { epochs: number; learningRate: number };
  fineTune: { epochs: number; learningRate: number };
  batchSize: number;
  weightDecay: number;
  cuts: readonly number[];
  /** Seeds per cut (1, 2, ... n); a cut not listed runs seed 1 only. */
  seeds: Readonly<Record<string, number>>;
  /** Pruneflow criteria, and Torch-Pruning importances (its criteria ids: l1, lamp, random, bn-scale, fpgm). */
  pruneflow: readonly string[];
  torchPruning: readonly string[];
}

/**
 * The Torch-Pruning importance that scores channels as each Pruneflow criterion does, so the two compare like for
 * like. Torch-Pruning's `MagnitudeImportance(p=1)` is the whole group's L1 (every member's weights on the channel,
 * consumers' input slices included): Pruneflow's `group-l1`. Pruneflow's `l1` (Li et al. 2017: the producers'
 * filters alone) and CIP have no counterpart there.
 */
export const TORCH_PRUNING_COUNTERPART: Readonly<Record<string, string>> = { 'group-l1': 'l1', lamp: 'lamp', random: 'random' };

export const FULL_PROTOCOL: PapersProtocol = {
  mode: 'full',
  baseline: { epochs: 30, learningRate: 0.1 },
  fineTune: { epochs: 8, learningRate: 0.01 },
  batchSize: 128,
  weightDecay: 5e-4,
  cuts: [0.5, 0.7, 0.3],
  // Issue 21's targets are means of three seeds at 50% and at 70%.
  seeds: { '0.5': 3, '0.7': 3 },
  pruneflow: ['cip', 'group-l1', 'l1', 'lamp', 'random'],
  torchPruning: ['l1', 'lamp', 'random'],
};

/** Every path of the full protocol on 256 images, 1 epoch, one cut and one seed. */
export const TINY_PROTOCOL: PapersProtocol = {
  ...FULL_PROTOCOL,
  mode: 'tiny',
  images: { train: 256, test: 256 },
  baseline: { epochs: 1, learningRate: 0.1 },
  fineTune: { epochs: 1, learningRate: 0.01 },
  cuts: [0.5],
  seeds: {},
};

export class PapersArgumentError extends Error {
  override name = 'PapersArgumentError';
}

/** `--budget tiny|full` (or `--budget=...`); full without one. */
export function protocolFromArgs(args: readonly string[]): PapersProtocol {
  const value = flagValue(args, '--budget');
  if (value === undefined || value === 'full') return FULL_PROTOCOL;
  if (value === 'tiny') return TINY_PROTOCOL;
  throw new PapersArgumentError(`--budget ${value || '(missing)'}: expected tiny or full`);
}

export type Engine = 'pruneflow' | 'torch-pruning';

/** One run of the table: an engine's criterion at a FLOPs cut and a seed; or the fine-tuning parity pair. */
export interface PapersJob {
  engine: Engine | 'parity-pruneflow' | 'parity-torch';
  method: string;
  cut: number;
  seed: number;
}

export const jobKey = (j: PapersJob) => `${j.engine}/${j.method}@${j.cut}#${j.seed}`;

/**
 * The order work is done in, so a run cut short still answers the main questions: at 50% seed 1 each Pruneflow
 * criterion and then its Torch-Pruning counterpart (each comparison complete as early as it can be), with the
 * fine-tuning parity pair right after Torch-Pruning's L1; then the other seeds at 50%, each with its parity pair (the
 * same pruned network fine-tuned with that seed); then the other cuts.
 */
export function papersJobs(p: PapersProtocol): PapersJob[] {
  const [first, ...rest] = p.cuts;
  const row = (cut: number, seed: number): PapersJob[] => {
    const counterparts = p.pruneflow.map((m) => TORCH_PRUNING_COUNTERPART[m]).filter((m) => m !== undefined && p.torchPruning.includes(m));
    const alone = p.torchPruning.filter((m) => !counterparts.includes(m));
    return [
      ...p.pruneflow.flatMap((method) => {
        const torch = TORCH_PRUNING_COUNTERPART[method];
        return [
          { engine: 'pruneflow' as const, method, cut, seed },
          ...(torch && p.torchPruning.includes(torch) ? [{ engine: 'torch-pruning' as const, method: torch, cut, seed }] : []),
        ];
      }),
      ...alone.map((method) => ({ engine: 'torch-pruning' as const, method, cut, seed })),
    ];
  };
  const seedsOf = (cut: number) => Array.from({ length: p.seeds[String(cut)] ?? 1 }, (_, i) => i + 1);
  const opening = row(first, 1);
  const afterL1 = opening.findIndex((j) => j.engine === 'torch-pruning' && j.method === 'l1') + 1;
  const parity = (seed: number): PapersJob[] => [
    { engine: 'parity-pruneflow', method: 'l1', cut: first, seed },
    { engine: 'parity-torch', method: 'l1', cut: first, seed },
  ];
  return [
    ...opening.slice(0, afterL1),
    ...parity(1),
    ...opening.slice(afterL1),
    ...seedsOf(first)
      .slice(1)
      .flatMap((seed) => [...row(first, seed), ...parity(seed)]),
    ...rest.flatMap((cut) => seedsOf(cut).flatMap((seed) => row(cut, seed))),
  ];
}

/**
 * `--methods a,b`: only the jobs of those criteria, in the protocol's order; every job without it. A bare id takes the
 * criterion in every engine; `engine/id` (torch-pruning/l1) only that engine's. `--cuts 0.7` keeps those cuts' jobs.
 * `cip:writerSpread=on+alpha=0` is a variant: CIP with those switches (the CLI's `--cip`, `+` between them), run
 * wherever the protocol runs Pruneflow's cip, and reported as a row of its own; `epochs`, the protocol's fine-tuning
 * epochs, bound a variant's schedule.
 */
export function jobsFromArgs(all: readonly PapersJob[], args: readonly string[], epochs = FULL_PROTOCOL.fineTune.epochs): PapersJob[] {
  const jobs = jobsOfCuts(all, flagValue(args, '--cuts'));
  const value = flagValue(args, '--methods');
  if (value === undefined) return jobs;
  const wanted = value.split(',').filter(Boolean);
  const variants = wanted.flatMap((w) => {
    const match = /^(?:pruneflow\/)?(cip):(.+)$/.exec(w);
    if (!match) return [];
    try {
      variantSettings(match[2], epochs);
    } catch (error) {
      throw new PapersArgumentError(`--methods ${w}: ${(error as Error).message}`);
    }
    return [{ base: match[1], method: `${match[1]}:${match[2]}` }];
  });
  const pool = jobs.flatMap((j) => [
    j,
    ...(j.engine === 'pruneflow'
      ? variants.filter((v) => v.base === j.method && !jobs.some((k) => k.method === v.method)).map((v) => ({ ...j, method: v.method }))
      : []),
  ]);
  const picks = (j: PapersJob, w: string) => w === j.method || w === `${j.engine}/${j.method}`;
  const unknown = wanted.filter((w) => !pool.some((j) => picks(j, w)));
  if (wanted.length === 0 || unknown.length) {
    const known = [...new Set(jobs.map((j) => j.method))].join(', ');
    throw new PapersArgumentError(`--methods ${value || '(missing)'}: expected a comma-separated list of ${known} (or engine/criterion)`);
  }
  return pool.filter((j) => wanted.some((w) => picks(j, w)));
}

function jobsOfCuts(jobs: readonly PapersJob[], cuts: string | undefined): PapersJob[] {
  if (cuts === undefined) return [...jobs];
  const wanted = cuts.split(',').filter(Boolean).map(Number);
  if (wanted.length === 0 || wanted.some((c) => !jobs.some((j) => j.cut === c))) {
    throw new PapersArgumentError(`--cuts ${cuts || '(missing)'}: expected a comma-separated list of ${[...new Set(jobs.map((j) => j.cut))].join(', ')}`);
  }
  return jobs.filter((j) => wanted.includes(j.cut));
}

/**
 * A variant's run options: CIP's switches as `cipSwitches` reads them (`writerSpread=on+alpha=0` is
 * `writerSpread=on,alpha=0`), and a schedule. `schedule=continuous`: CIP-SPEC section 5's soft gates for half the
 * protocol's fine-tuning epochs, fine-tuning the other half (the same budget, as bench:cip-ablation's continuous row).
 * `schedule=iterative+steps=4`: the cut taken in that many steps (the run option's default when absent), re-scored after each on the pruned
 * model with its batch norms recalibrated, no training between them; all the epochs fine-tune the result. `+gap=2`
 * takes that many of the epochs for fine-tuning between the steps, spread over the gaps, and the rest after the last.
 */
export function variantSettings(
  switches: string,
  epochs: number,
): Partial<Pick<PruneConfig, 'cip' | 'schedule' | 'scheduleSteps' | 'softEpochs' | 'fineTuneEpochs'>> {
  const parts = switches.split('+');
  const schedules = parts.filter((p) => p.startsWith('schedule='));
  const others = parts.filter((p) => !/^(schedule|steps|gap)=/.test(p));
  const cip = others.length ? { cip: cipSwitches(others.join(',')) } : {};
  const schedule = schedules.length === 1 ? schedules[0].slice('schedule='.length) : undefined;
  if (schedules.length > 1 || (schedule !== undefined && schedule !== 'continuous' && schedule !== 'iterative')) {
    throw new PapersArgumentError(`'${schedules.join('+')}': a variant's schedule is schedule=continuous or schedule=iterative (one-shot when absent)`);
  }
  // `steps=N` and `gap=N`: once each, whole numbers, and only with the iterative schedule.
  const iterativePart = (name: string, fallback: number, valid: (n: number) => boolean, expects: string): number => {
    const given = parts.filter((p) => p.startsWith(`${name}=`));
    if (given.length === 0) return fallback;
    const value = Number(given[0].slice(name.length + 1));
    if (schedule !== 'iterative' || given.length > 1 || !Number.isInteger(value) || !valid(value)) {
      throw new PapersArgumentError(`'${given.join('+')}': ${name}=N (${expects}) goes with schedule=iterative, once`);
    }
    return value;
  };
  const steps = iterativePart('steps', DEFAULT_PRUNE_CONFIG.scheduleSteps, (n) => n >= 2, 'a whole number, 2 or more');
  const gap = iterativePart('gap', 0, (n) => n >= 0 && n < epochs, `whole epochs, fewer than the protocol's ${epochs}`);
  if (schedule === 'continuous') {
    return { ...cip, schedule, softEpochs: Math.max(1, Math.floor(epochs / 2)), fineTuneEpochs: Math.ceil(epochs / 2) };
  }
  if (schedule === 'iterative') return { ...cip, schedule, scheduleSteps: steps, softEpochs: gap, fineTuneEpochs: epochs - gap };
  return cip;
}

export interface PapersPaths {
  /** The baseline: PyTorch's state dict and weights, and the converted tfjs model. */
  baselineDir: string;
  results: string;
  /** docs/benchmarks.md (full) or a file of its own (tiny). */
  report: 'docs' | string;
  /** Scratch: data subsets, pruned models of the parity pair. */
  scratch: string;
  /** Torch-Pruning's source, extracted from its repository snapshot (never a product dependency). */
  torchPruning: string;
}

const source = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

export function papersPaths(mode: PapersProtocol['mode']): PapersPaths {
  const torchPruning = process.env.PRUNEFLOW_TORCH_PRUNING ?? source('.cache/torch-pruning');
  if (mode === 'tiny') {
    const dir = join(tmpdir(), 'pruneflow-papers-tiny');
    return {
      baselineDir: join(dir, 'baseline'),
      results: join(dir, 'results.json'),
      report: join(dir, 'section.md'),
      scratch: join(dir, 'scratch'),
      torchPruning,
    };
  }
  return {
    baselineDir: source('test/bench/baselines/resnet20b-cifar10-papers'),
    results: source('test/bench/papers-results.json'),
    report: 'docs',
    scratch: join(tmpdir(), 'pruneflow-papers'),
    torchPruning,
  };
}
