import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { AugmentDraw } from '../../data/augmentation.js';
import { makeBatch } from '../../data/batches.js';
import type { ImageDataset, Normalisation } from '../../data/image-dataset.js';
import { releaseFailedTape } from '../../backend/tfjs-compat/failed-tape.js';
import { saveMovingStatistics } from '../../backend/tfjs-compat/moving-statistics.js';
// Registers the custom shortcut layer, so ResNet topologies deserialise in a fresh worker.
import '../../models/zero-pad-shortcut.js';
import type { SharedDataset, WeightValues } from './protocol.js';

export interface ShardResult {
  /** Mean loss over the shard. */
  loss: number;
  correct: number;
  count: number;
  /** Gradients of the mean loss, all trainable weights in order, end to end. */
  gradients: Float32Array;
}

/**
 * One copy of the model in one engine. It computes gradients on its shard and applies the averaged ones with
 * its own Adam; all replicas start equal and apply the same updates, so their trainable weights stay equal.
 */
export class Replica {
  private readonly variables: tf.Variable[];
  private readonly sizes: number[];
  readonly parameters: number;
  private readonly optimizer = tf.train.adam(1e-3);
  private readonly data: ImageDataset;
  /** The moving statistics from before the last computed shard, until its step is applied or rolled back. */
  private before?: ReturnType<typeof saveMovingStatistics>;

  private constructor(
    private readonly model: tfl.LayersModel,
    data: SharedDataset,
    private readonly norm: Normalisation,
  ) {
    this.data = { name: 'replica shard source', ...data };
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.sizes = this.variables.map((v) => v.size);
    this.parameters = this.sizes.reduce((a, b) => a + b, 0);
  }

  static async create(topology: object, weights: WeightValues, data: SharedDataset, norm: Normalisation): Promise<Replica> {
    const model = await tfl.models.modelFromJSON({ modelTopology: topology } as tfl.ModelAndWeightsConfig);
    const replica = new Replica(model, data, norm);
    replica.assign(model.trainableWeights, weights.trainable);
    replica.assign(model.nonTrainableWeights, weights.nonTrainable);
    return replica;
  }

  /** Everything it made is released, also when it fails (out of memory: the replica stays as it was, statistics too). */
  computeGradients(indices: Int32Array, draws?: AugmentDraw[]): ShardResult {
    let batch: ReturnType<typeof makeBatch> | undefined;
    let statistics: ReturnType<typeof saveMovingStatistics> | undefined;
    let hits: tf.Scalar | undefined;
    let computed: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
    this.forget();
    try {
      // Inside the try: a batch or a copy of the statistics that does not fit leaks nothing either.
      batch = makeBatch(this.data, indices, this.norm, draws);
      statistics = saveMovingStatistics(this.model);
      const { x, y } = batch;
      // The same loss as fit.ts, on this shard only.
      computed = tf.variableGrads(() => {
        const logits = this.model.apply(x, { training: true }) as tf.Tensor2D;
        hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32')));
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      }, this.variables);
      const { value, grads } = computed;
      const gradients = new Float32Array(this.parameters);
      let offset = 0;
      this.variables.forEach((v, i) => {
        // A weight the loss does not reach gets no gradient: zero, as Adam would see it single-process too.
        const grad = grads[v.name];
        if (grad) gradients.set(grad.dataSync() as Float32Array, offset);
        offset += this.sizes[i];
      });
      const result = { loss: value.dataSync()[0], correct: hits!.dataSync()[0], count: batch.size, gradients };
      // Kept until the step is applied: if another replica's shard did not fit, `rollback` undoes this one's too.
      [this.before, statistics] = [statistics, undefined];
      return result;
    } catch (error) {
      statistics?.restore();
      throw error;
    } finally {
      statistics?.dispose();
      tf.dispose([...(batch ? [batch.x, batch.y] : []), ...(hits ? [hits] : []), ...(computed ? [computed.value, ...Object.values(computed.grads)] : [])]);
      releaseFailedTape();
    }
  }

  /** Another replica's shard did not fit, so the step is retried: this replica's statistics go back to before it. */
  rollback(): void {
    this.before?.restore();
    this.forget();
  }

  private forget(): void {
    this.before?.dispose();
    this.before = undefined;
  }

  applyGradients(gradients: Float32Array, learningRate: number): void {
    this.forget();
    if (gradients.length !== this.parameters) throw new Error(`expected ${this.parameters} gradient values, got ${gradients.length}`);
    let offset = 0;
    const named = this.variables.map((v, i) => {
      const tensor = tf.tensor(gradients.subarray(offset, offset + this.sizes[i]), v.shape, 'float32');
      offset += this.sizes[i];
      return { name: v.name, tensor };
    });
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    this.optimizer.applyGradients(named);
    tf.dispose(named.map((n) => n.tensor));
  }

  readWeights(): WeightValues {
    const read = (list: tfl.LayerVariable[]) => list.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
    return { trainable: read(this.model.trainableWeights), nonTrainable: read(this.model.nonTrainableWeights) };
  }

  setNonTrainable(values: Float32Array[]): void {
    this.assign(this.model.nonTrainableWeights, values);
  }

  private assign(list: tfl.LayerVariable[], values: Float32Array[]): void {
    assignWeights(list, values);
  }
}

/** Writes `values` into the weights in order; shared with the coordinator, which writes the caller's model. */
export function assignWeights(list: tfl.LayerVariable[], values: Float32Array[]): void {
  if (list.length !== values.length) throw new Error(`the model has ${list.length} weights of this kind, ${values.length} were sent`);
  list.forEach((w, i) => {
    if (w.dtype !== 'float32') throw new Error(`weight ${w.name} is ${w.dtype}; only float32 weights are supported`);
    const value = tf.tensor(values[i], w.shape as number[], 'float32');
    w.write(value);
    value.dispose();
  });
}
