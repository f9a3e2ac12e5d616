import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { distillationLoss } from './distillation.js';

/** What the loss needs besides the student: the teacher's logits on the same images, and how to weigh them. */
export interface SoftTargets {
  logits: tf.Tensor2D;
  weight: number;
  temperature: number;
}

/**
 * The training loss of one batch, shared by fit.ts and the data-parallel replicas: the mean softmax
 * cross-entropy of the model's logits, or the distillation loss when the teacher's logits are given.
 * Call it inside a gradient function; `hits` (correct predictions) is kept out of the tape's tidy.
 */
export function trainingLoss(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor2D, soft?: SoftTargets): { loss: tf.Scalar; hits: tf.Scalar } {
  const logits = model.apply(x, { training: true }) as tf.Tensor2D;
  const hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32')) as tf.Scalar);
  const loss = soft ? distillationLoss(y, logits, soft.logits, soft.weight, soft.temperature) : (tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar);
  return { loss, hits };
}

/** The teacher's logits for a batch, in inference mode (kept: the caller disposes them). */
export function teacherLogits(teacher: tfl.LayersModel, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => teacher.apply(x, { training: false }) as tf.Tensor2D);
}
