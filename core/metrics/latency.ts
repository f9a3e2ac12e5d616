import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SpeedMeasurement, Spread } from '../api/measured-speed.js';
import { isUncertain, spreadOf } from './spread.js';
import { type ForwardChooser, type ForwardRunner, tfjsRunner } from '../backend/forward-runner.js';

export interface LatencyRuns {
  batch: number;
  /** Timed runs (pairs, for `measureSpeedup`), after `warmup` untimed ones. */
  runs: number;
  warmup: number;
  /**
   * Picks the engine the models are timed on: ONNX Runtime on the ONNX export where the host has it (what
   * users deploy), tfjs without. Both models of a pair always run on the same engine.
   */
  forward?: ForwardChooser;
}

/**
 * How a run times its models: a full run 11 paired runs at batch 64; a quick trial fewer, smaller batches (on a
 * software GPU, SwiftShader, a batch of 64 takes seconds).
 */
export function latencyRuns(quickTrial: boolean): Omit<LatencyRuns, 'forward'> {
  return quickTrial ? { batch: 8, runs: 5, warmup: 1 } : { batch: 64, runs: 11, warmup: 2 };
}

/** The forward passes each timed model makes: the work that must repay converting it to a faster engine. */
export function latencyImages({ batch, runs, warmup }: Omit<LatencyRuns, 'forward'>): number {
  return batch * (runs + warmup);
}

/** Wall time of inference on one batch of random images, after warm-up runs: median and quartiles. */
export async function measureLatency(model: tfl.LayersModel, { batch, runs, warmup, forward }: LatencyRuns): Promise<Spread> {
  const input = randomBatch(model, batch);
  const times: number[] = [];
  const [runner] = await openRunners([model], latencyImages({ batch, runs, warmup }), forward);
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const time = await timeOnce(runner, input);
      if (i >= warmup) times.push(time);
    }
  } finally {
    input.dispose();
    await runner.dispose();
  }
  return spreadOf(times);
}

/**
 * The speed-up of `pruned` over `baseline` as repeated paired runs: the two models run alternately on the
 * same batch (which goes first swaps each pair), and each pair gives one ratio. Load from the rest of the
 * machine lands on both halves of a pair alike, so the ratios spread far less than two separate timings.
 */
export async function measureSpeedup(
  baseline: tfl.LayersModel,
  pruned: tfl.LayersModel,
  { batch, runs, warmup, forward }: LatencyRuns,
): Promise<SpeedMeasurement> {
  const input = randomBatch(baseline, batch);
  const base: number[] = [];
  const small: number[] = [];
  const [baseRunner, prunedRunner] = await openRunners([baseline, pruned], latencyImages({ batch, runs, warmup }), forward);
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const prunedFirst = i % 2 === 1;
      const first = await timeOnce(prunedFirst ? prunedRunner : baseRunner, input);
      const second = await timeOnce(prunedFirst ? baseRunner : prunedRunner, input);
      if (i < warmup) continue;
      base.push(prunedFirst ? second : first);
      small.push(prunedFirst ? first : second);
    }
  } finally {
    input.dispose();
    await Promise.all([baseRunner.dispose(), prunedRunner.dispose()]);
  }
  const speedup = spreadOf(base.map((b, i) => b / Math.max(small[i], 1e-6)));
  return { speedup, baselineMs: spreadOf(base), prunedMs: spreadOf(small), batch, uncertain: isUncertain(speedup) };
}

function randomBatch(model: tfl.LayersModel, batch: number): tf.Tensor {
  const shape = model.inputs[0].shape.slice(1) as number[];
  return tf.randomNormal([batch, ...shape], 0, 1, 'float32', 7);
}

/** One runner per model, all on one engine: a pair timed on two engines would compare the engines. */
async function openRunners(models: tfl.LayersModel[], images: number, forward?: ForwardChooser): Promise<ForwardRunner[]> {
  if (!forward) return models.map((m) => tfjsRunner(m));
  const runners: ForwardRunner[] = [];
  for (const model of models) runners.push(await forward.open('latency', model, { images }));
  if (runners.every((r) => r.engine === runners[0].engine)) return runners;
  await Promise.all(runners.map((r) => r.dispose()));
  return models.map((m) => tfjsRunner(m));
}

async function timeOnce(runner: ForwardRunner, input: tf.Tensor): Promise<number> {
  const start = performance.now();
  const outputs = await runner.run(input);
  await Promise.all(outputs.map((o) => o.data()));
  tf.dispose(outputs);
  return performance.now() - start;
}
