/** The wizard's numbers: what a cut leaves of the model, and how long a session will take on this machine. */
import type { CutEstimate, PruneConfig } from '../../core/api/contract.js';

export interface CutPoint {
  flops: number;
  params: number;
  /** The pruned model's inference time over the baseline's, by the timing engine's measured cost model (absent in older answers). */
  time?: number;
}

/**
 * FLOPs, parameters and predicted time left by a cut of `reduction`, between the engine's counted points (5%
 * apart, and the unpruned model at 0); undefined where the cut is deeper than any counted one.
 */
export function cutAt(estimate: CutEstimate, reduction: number): CutPoint | undefined {
  const points = [{ reduction: 0, ...estimate.baseline, time: 1 }, ...estimate.points];
  if (reduction < 0 || reduction > points[points.length - 1].reduction + 1e-9) return undefined;
  const between = (a: number, b: number, t: number) => a + t * (b - a);
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    if (reduction > b.reduction + 1e-9) continue;
    const t = (reduction - a.reduction) / (b.reduction - a.reduction);
    const time = a.time !== undefined && b.time !== undefined ? between(a.time, b.time, t) : undefined;
    return { flops: Math.round(between(a.flops, b.flops, t)), params: Math.round(between(a.params, b.params, t)), ...(time !== undefined && { time }) };
  }
  return { flops: estimate.baseline.flops, params: estimate.baseline.params, time: 1 };
}

/** The deepest cut the model allows (the engine stops counting where a cut cannot be reached). */
export const deepestCut = (estimate: CutEstimate) => estimate.points.at(-1)?.reduction ?? 0;

/**
 * Training FLOPs per second until a run measures this machine (the page keeps the measured rate): the
 * WebAssembly backend on a busy two-core machine trains the demo CNN (9 MFLOPs) at 30-60 images/s.
 */
export const GUESSED_TRAINING_RATE = 1.2e9;

export interface RunTimeInput {
  config: Pick<PruneConfig, 'trainEpochs' | 'fineTuneEpochs' | 'schedule' | 'scheduleSteps' | 'softEpochs'>;
  reduction: number;
  /** Forward FLOPs of one image through the unpruned and the pruned model. */
  flops: number;
  prunedFlops: number;
  trainImages: number;
  testImages: number;
  /** Training FLOPs (forward and backward) per second. */
  rate: number;
}

/**
 * Seconds a session takes: a training step costs about three forward passes (forward, two backward products),
 * an evaluation one; baseline and pruned models are each evaluated once, latency measurement adds a little.
 */
export function estimateRunSeconds(input: RunTimeInput): number {
  const { config, flops, prunedFlops, trainImages, testImages, rate } = input;
  const pruningEpochs = config.schedule === 'iterative' ? config.scheduleSteps * config.softEpochs : config.schedule === 'continuous' ? config.softEpochs : 0;
  // The pruning phase trains a model on its way from the full to the pruned size.
  const training = trainImages * 3 * (config.trainEpochs * flops + (pruningEpochs * (flops + prunedFlops)) / 2 + config.fineTuneEpochs * prunedFlops);
  const evaluation = testImages * 3 * (flops + prunedFlops);
  return (training + evaluation) / rate + 5;
}

/** Training FLOPs per second a finished run reached, from its throughput while training the model. */
export function measuredRate(imagesPerSecond: number, flopsPerImage: number): number {
  return imagesPerSecond * 3 * flopsPerImage;
}
