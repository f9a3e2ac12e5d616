import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SpeedMeasurement, Spread } from '../api/measured-speed.js';
import { isUncertain, spreadOf } from './spread.js';

export interface LatencyRuns {
  batch: number;
  /** Timed runs (pairs, for `measureSpeedup`), after `warmup` untimed ones. */
  runs: number;
  warmup: number;
}

/** Wall time of inference on one batch of random images, after warm-up runs: median and quartiles. */
export async function measureLatency(model: tfl.LayersModel, { batch, runs, warmup }: LatencyRuns): Promise<Spread> {
  const input = randomBatch(model, batch);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const time = await timeOnce(model, input);
      if (i >= warmup) times.push(time);
    }
  } finally {
    input.dispose();
  }
  return spreadOf(times);
}

/**
 * The speed-up of `pruned` over `baseline` as repeated paired runs: the two models run alternately on the
 * same batch (which goes first swaps each pair), and each pair gives one ratio. Load from the rest of the
 * machine lands on both halves of a pair alike, so the ratios spread far less than two separate timings.
 */
export async function measureSpeedup(baseline: tfl.LayersModel, pruned: tfl.LayersModel, { batch, runs, warmup }: LatencyRuns): Promise<SpeedMeasurement> {
  const input = randomBatch(baseline, batch);
  const base: number[] = [];
  const small: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const prunedFirst = i % 2 === 1;
      const first = await timeOnce(prunedFirst ? pruned : baseline, input);
      const second = await timeOnce(prunedFirst ? baseline : pruned, input);
      if (i < warmup) continue;
      base.push(prunedFirst ? second : first);
      small.push(prunedFirst ? first : second);
    }
  } finally {
    input.dispose();
  }
  const speedup = spreadOf(base.map((b, i) => b / Math.max(small[i], 1e-6)));
  return { speedup, baselineMs: spreadOf(base), prunedMs: spreadOf(small), batch, uncertain: isUncertain(speedup) };
}

function randomBatch(model: tfl.LayersModel, batch: number): tf.Tensor {
  const shape = model.inputs[0].shape.slice(1) as number[];
  return tf.randomNormal([batch, ...shape], 0, 1, 'float32', 7);
}

async function timeOnce(model: tfl.LayersModel, input: tf.Tensor): Promise<number> {
  const start = performance.now();
  const output = model.predict(input) as tf.Tensor;
  await output.data();
  output.dispose();
  return performance.now() - start;
}
