import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Median wall time of inference on one batch of random images, after warm-up runs. */
export async function measureLatency(model: tfl.LayersModel, batchSize = 64, runs = 10, warmup = 2): Promise<number> {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const input = tf.randomNormal([batchSize, ...shape], 0, 1, 'float32', 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const start = performance.now();
      const output = model.predict(input) as tf.Tensor;
      await output.data();
      output.dispose();
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    input.dispose();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
