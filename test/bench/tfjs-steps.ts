import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** One training or inference step of a tfjs model on a fixed batch of random images. */
export interface BenchStep {
  run(): Promise<void>;
  dispose(): void;
}

function randomBatch(model: tfl.LayersModel, batch: number) {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const classes = model.outputs[0].shape[1] as number;
  const x = tf.randomNormal([batch, ...shape], 0, 1, 'float32', 7);
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => (i * 7) % classes),
    'int32',
  );
  const y = tf.cast(tf.oneHot(labels, classes), 'float32');
  labels.dispose();
  return { x, y };
}

/**
 * The project's training step (as core/train/fit.ts): softmax cross-entropy on the logits, minimised by an
 * optimizer, here SGD with momentum 0.9 like the PyTorch reference. Reading the loss waits for the step.
 */
export function trainStep(model: tfl.LayersModel, batch: number): BenchStep {
  const { x, y } = randomBatch(model, batch);
  const optimizer = tf.train.momentum(0.01, 0.9);
  return {
    async run() {
      const cost = optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      }, true)!;
      await cost.data();
      cost.dispose();
    },
    dispose: () => {
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** Inference as core/metrics/latency.ts measures it: `predict` on a batch, then read the output. */
export function inferStep(model: tfl.LayersModel, batch: number): BenchStep {
  const { x, y } = randomBatch(model, batch);
  return {
    async run() {
      const output = model.predict(x) as tf.Tensor;
      await output.data();
      output.dispose();
    },
    dispose: () => tf.dispose([x, y]),
  };
}
