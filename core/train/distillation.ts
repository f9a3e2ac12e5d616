import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface Distillation {
  /** The model whose soft predictions the student learns from (the unpruned baseline); not trained. */
  teacher: tfl.LayersModel;
  /** w in (1 - w) * CE + w * T^2 * KL: 0 is plain cross-entropy, 1 is the teacher's predictions only. */
  weight: number;
  /** T: softens both distributions; T^2 keeps the gradient scale of the soft term independent of T. */
  temperature: number;
}

export class DistillationSettingsError extends Error {
  override name = 'DistillationSettingsError';
}

export function checkDistillation(weight: number, temperature: number): void {
  if (!(weight >= 0 && weight <= 1)) throw new DistillationSettingsError(`Distillation weight must be from 0 to 1, got ${weight}`);
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new DistillationSettingsError(`Distillation temperature must be above 0, got ${temperature}`);
}

/**
 * Knowledge distillation (Hinton et al. 2015), batch mean:
 * (1 - w) * CE(labels, softmax(student)) + w * T^2 * KL(softmax(teacher / T) || softmax(student / T)).
 */
export function distillationLoss(labels: tf.Tensor2D, student: tf.Tensor2D, teacher: tf.Tensor2D, weight: number, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const hard = tf.losses.softmaxCrossEntropy(labels, student) as tf.Scalar;
    if (weight === 0) return hard;
    const logTeacher = tf.logSoftmax(tf.div(teacher, temperature));
    const logStudent = tf.logSoftmax(tf.div(student, temperature));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(logTeacher), tf.sub(logTeacher, logStudent)), 1));
    return tf.add(tf.mul(1 - weight, hard), tf.mul(weight * temperature * temperature, kl)) as tf.Scalar;
  });
}
