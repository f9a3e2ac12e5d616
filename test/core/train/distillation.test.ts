import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { makeBatch } from '../../../core/data/batches.js';
import type { ImageDataset, Normalisation } from '../../../core/data/image-dataset.js';
import { checkDistillation, distillationLoss } from '../../../core/train/distillation.js';
import { fit } from '../../../core/train/fit.js';
import { evaluate } from '../../../core/train/evaluate.js';
import { sampleImages, tinyClassifier } from './tiny-classifier.js';

beforeAll(async () => {
  await wasmCandidate.load();
});

const scalar = (t: tf.Scalar) => {
  const value = t.dataSync()[0];
  t.dispose();
  return value;
};

describe('distillation loss', () => {
  it('matches a hand computation: (1 - w) CE + w T^2 KL(teacher || student)', () => {
    // Student logits (2, 0), teacher (0, 2), label class 0, T = 2, w = 0.5.
    // CE = -log(e^2 / (e^2 + 1)) = log(1 + e^-2). At T = 2 the student is (e, 1) / (e + 1) and the teacher
    // the reverse, so log(p_t / p_s) = -1, +1 and KL = (e - 1) / (e + 1).
    const [labels, student, teacher] = [tf.tensor2d([[1, 0]]), tf.tensor2d([[2, 0]]), tf.tensor2d([[0, 2]])];
    const expected = 0.5 * Math.log(1 + Math.exp(-2)) + 0.5 * 4 * ((Math.E - 1) / (Math.E + 1));
    expect(expected).toBeCloseTo(0.987698, 5);
    expect(scalar(distillationLoss(labels, student, teacher, 0.5, 2))).toBeCloseTo(expected, 5);
    // Only the soft term, over a batch of two: the second row's teacher agrees with the student (KL 0).
    const both = distillationLoss(
      tf.tensor2d([
        [1, 0],
        [1, 0],
      ]),
      tf.tensor2d([
        [2, 0],
        [1, 3],
      ]),
      tf.tensor2d([
        [0, 2],
        [1, 3],
      ]),
      1,
      2,
    );
    expect(scalar(both)).toBeCloseTo((4 * ((Math.E - 1) / (Math.E + 1))) / 2, 5);
    tf.dispose([labels, student, teacher]);
  });

  it('is plain cross-entropy at weight 0, whatever the teacher says', () => {
    const labels = tf.cast(tf.oneHot(tf.tensor1d([3, 0, 4, 1], 'int32'), 5), 'float32') as tf.Tensor2D;
    const student = tf.randomNormal([4, 5], 0, 2, 'float32', 1) as tf.Tensor2D;
    const teacher = tf.randomNormal([4, 5], 0, 2, 'float32', 2) as tf.Tensor2D;
    const plain = scalar(tf.losses.softmaxCrossEntropy(labels, student) as tf.Scalar);
    expect(scalar(distillationLoss(labels, student, teacher, 0, 3))).toBe(plain);
    expect(scalar(distillationLoss(labels, student, teacher, 0.3, 3))).not.toBeCloseTo(plain, 3);
    tf.dispose([labels, student, teacher]);
  });

  it('refuses a weight outside 0..1 and a temperature that is not positive', () => {
    expect(() => checkDistillation(1.5, 4)).toThrow(/Distillation weight must be from 0 to 1, got 1.5/);
    expect(() => checkDistillation(0.5, 0)).toThrow(/temperature must be above 0, got 0/);
  });
});

describe('training with a teacher', () => {
  it('follows the teacher over wrong labels at weight 1, on one engine when the replicas offered cannot start', async () => {
    const { train: data, norm } = await sampleImages(512);
    const options = { epochs: 4, batchSize: 64, learningRate: 1e-2, seed: 1, stage: 'fine-tuning' };
    const teacher = tinyClassifier(3);
    await fit(teacher, data, norm, options);
    // What the teacher predicts, as labels; and labels it disagrees with: every class moved to the next.
    const predicted = await predictions(teacher, data, norm);
    const taught = { ...data, labels: predicted };
    const wrong = { ...data, labels: predicted.map((l) => (l + 1) % 10) };
    let spawned = 0;
    const parallel = {
      replicas: 2,
      spawnReplica: () => {
        spawned++;
        throw new Error('no replicas for distillation');
      },
    };
    const before = tf.memory().numTensors;
    const student = tinyClassifier(4);
    await fit(student, wrong, norm, { ...options, parallel, distillation: { teacher, weight: 1, temperature: 4 } });
    const plain = tinyClassifier(4);
    await fit(plain, wrong, norm, options);
    // Distillation trains on replicas too (data-parallel-recipe.test.ts); these could not start, so it trained here.
    expect(spawned).toBe(1);
    // The student learnt the teacher's classes; the plain model learnt the shifted labels instead.
    const agreement = async (model: tfl.LayersModel) => (await evaluate(model, taught, norm)).top1;
    expect(await agreement(student)).toBeGreaterThan(0.6);
    expect(await agreement(plain)).toBeLessThan(0.1);
    student.dispose();
    plain.dispose();
    expect(tf.memory().numTensors).toBe(before);
    teacher.dispose();
  });
});

async function predictions(model: tfl.LayersModel, data: ImageDataset, norm: Normalisation): Promise<Uint8Array> {
  const batch = makeBatch(
    data,
    Int32Array.from({ length: data.count }, (_, i) => i),
    norm,
  );
  const classes = tf.tidy(() => tf.argMax(model.predict(batch.x) as tf.Tensor, 1));
  const labels = Uint8Array.from(await classes.data());
  tf.dispose([classes, batch.x, batch.y]);
  return labels;
}
