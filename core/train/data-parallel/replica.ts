import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { AugmentDraw } from '../../data/augmentation.js';
import { makeBatch } from '../../data/batches.js';
import type { ImageDataset, Normalisation } from '../../data/image-dataset.js';
import { releaseFailedTape } from '../../backend/tfjs-compat/failed-tape.js';
import { saveMovingStatistics } from '../../backend/tfjs-compat/moving-statistics.js';
// Registers the custom shortcut layer, so ResNet topologies deserialise in a fresh worker.
import '../../models/zero-pad-shortcut.js';
import { loadOptimizerState, type OptimizerState, saveOptimizerState } from '../optimizer-state.js';
import { OptimizerUpdate, type OptimizerSettings, setBatchNormMomentum } from '../optimizer-update.js';
import { teacherLogits, trainingLoss } from '../training-loss.js';
import { type GateState, GatedVariables } from '../gated-variables.js';
import type { ModelValues, ReplicaTraining, SharedDataset, ShardRecords, WeightValues } from './protocol.js';

export interface ShardResult {
  /** Mean loss over the shard. */
  loss: number;
  correct: number;
  count: number;
  /** Gradients of the mean loss, all trainable weights in order, end to end. */
  gradients: Float32Array;
  /** 1 for each trainable weight the loss reached (the others got no gradient: zeros above). */
  reached: Uint8Array;
}

/**
 * One copy of the model in one engine. It computes gradients on its shard and applies the averaged ones with
 * its own optimizer, the same step as fit.ts (`OptimizerUpdate`: SGD or Adam, weight decay); all replicas
 * start equal and apply the same updates, so their trainable weights stay equal.
 */
export class Replica {
  private readonly variables: tf.Variable[];
  private readonly sizes: number[];
  readonly parameters: number;
  private readonly update: OptimizerUpdate;
  private readonly data: ImageDataset;
  /** The moving statistics from before the last computed shard, until its step is applied or rolled back. */
  private before?: ReturnType<typeof saveMovingStatistics>;
  /** Soft gates the weights train under, folded after every step as fit.ts folds them on one engine. */
  private gates?: GatedVariables;

  private constructor(
    private readonly model: tfl.LayersModel,
    data: SharedDataset,
    private readonly norm: Normalisation,
    settings: OptimizerSettings,
    private readonly teacher?: { model: tfl.LayersModel; weight: number; temperature: number },
  ) {
    this.data = { name: 'replica shard source', ...data };
    this.update = new OptimizerUpdate(model, settings);
    this.variables = this.update.variables;
    this.sizes = this.variables.map((v) => v.size);
    this.parameters = this.sizes.reduce((a, b) => a + b, 0);
  }

  static async create(topology: object, weights: WeightValues, data: SharedDataset, norm: Normalisation, training: ReplicaTraining): Promise<Replica> {
    const model = await buildModel({ topology, weights });
    if (training.batchNormMomentum !== undefined) setBatchNormMomentum(model, training.batchNormMomentum);
    const teacher = training.teacher && {
      model: await buildModel(training.teacher),
      weight: training.teacher.weight,
      temperature: training.teacher.temperature,
    };
    if (teacher) teacher.model.trainable = false;
    const replica = new Replica(model, data, norm, training.optimizer, teacher);
    if (training.gates) replica.setGates(training.gates);
    if (training.optimizerState) {
      await loadOptimizerState(
        replica.update.optimizer,
        training.optimizerState,
        model.trainableWeights.map((w) => w.shape as number[]),
      );
    }
    return replica;
  }

  /**
   * Everything it made is released, also when it fails (out of memory: the replica stays as it was, statistics too).
   * With `records` (a streamed data set), `indices` number those records rather than the data set's.
   */
  computeGradients(indices: Int32Array, draws?: AugmentDraw[], records?: ShardRecords): ShardResult {
    let batch: ReturnType<typeof makeBatch> | undefined;
    let statistics: ReturnType<typeof saveMovingStatistics> | undefined;
    let hits: tf.Scalar | undefined;
    let soft: tf.Tensor2D | undefined;
    let computed: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
    this.forget();
    try {
      // Inside the try: a batch or a copy of the statistics that does not fit leaks nothing either.
      const source = records ? { ...this.data, images: records.images, labels: records.labels, count: records.labels.length } : this.data;
      batch = makeBatch(source, indices, this.norm, draws);
      statistics = saveMovingStatistics(this.model);
      const { x, y } = batch;
      // The teacher sees this shard's (augmented) images, as fit.ts's sees the whole batch.
      soft = this.teacher && teacherLogits(this.teacher.model, x);
      const targets = soft && { logits: soft, weight: this.teacher!.weight, temperature: this.teacher!.temperature };
      // The same loss as fit.ts, on this shard only.
      computed = tf.variableGrads(() => {
        const out = trainingLoss(this.model, x, y, targets);
        hits = out.hits;
        return out.loss;
      }, this.variables);
      const { value, grads } = computed;
      const gradients = new Float32Array(this.parameters);
      const reached = new Uint8Array(this.variables.length);
      let offset = 0;
      this.variables.forEach((v, i) => {
        const grad = grads[v.name];
        if (grad) {
          gradients.set(grad.dataSync() as Float32Array, offset);
          reached[i] = 1;
        }
        offset += this.sizes[i];
      });
      const result = { loss: value.dataSync()[0], correct: hits!.dataSync()[0], count: batch.size, gradients, reached };
      // Kept until the step is applied: if another replica's shard did not fit, `rollback` undoes this one's too.
      [this.before, statistics] = [statistics, undefined];
      return result;
    } catch (error) {
      statistics?.restore();
      throw error;
    } finally {
      statistics?.dispose();
      tf.dispose([
        ...(batch ? [batch.x, batch.y] : []),
        ...(hits ? [hits] : []),
        ...(soft ? [soft] : []),
        ...(computed ? [computed.value, ...Object.values(computed.grads)] : []),
      ]);
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

  applyGradients(gradients: Float32Array, reached: Uint8Array, learningRate: number): void {
    this.forget();
    if (gradients.length !== this.parameters) throw new Error(`expected ${this.parameters} gradient values, got ${gradients.length}`);
    const grads: tf.NamedTensorMap = {};
    let offset = 0;
    this.variables.forEach((v, i) => {
      if (reached[i]) grads[v.name] = tf.tensor(gradients.subarray(offset, offset + this.sizes[i]), v.shape, 'float32');
      offset += this.sizes[i];
    });
    try {
      this.update.apply(grads, learningRate);
      this.gates?.sync();
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  readOptimizer(): Promise<OptimizerState> {
    return saveOptimizerState(this.update.optimizer);
  }

  readWeights(): WeightValues {
    const read = (list: tfl.LayerVariable[]) => list.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
    return { trainable: read(this.model.trainableWeights), nonTrainable: read(this.model.nonTrainableWeights) };
  }

  setNonTrainable(values: Float32Array[]): void {
    assignWeights(this.model.nonTrainableWeights, values);
  }

  setWeights(weights: WeightValues, gates?: GateState): void {
    assignWeights(this.model.trainableWeights, weights.trainable);
    assignWeights(this.model.nonTrainableWeights, weights.nonTrainable);
    if (gates) this.setGates(gates);
  }

  /** The free values of the gated weights; undefined without gates. */
  freeValues(): Float32Array[] | undefined {
    return this.gates?.freeValues();
  }

  private setGates(state: GateState): void {
    this.gates?.dispose();
    const trainable = this.model.trainableWeights;
    this.gates = new GatedVariables(state.weights.map((i) => trainable[i]));
    this.gates.load(state.free, state.gates);
  }
}

async function buildModel({ topology, weights }: ModelValues): Promise<tfl.LayersModel> {
  const model = await tfl.models.modelFromJSON({ modelTopology: topology } as tfl.ModelAndWeightsConfig);
  assignWeights(model.trainableWeights, weights.trainable);
  assignWeights(model.nonTrainableWeights, weights.nonTrainable);
  return model;
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
