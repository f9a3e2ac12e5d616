import type * as tfl from '@tensorflow/tfjs-layers';
import type { AugmentDraw } from '../../data/augmentation.js';
import type { ImageDataset, Normalisation } from '../../data/image-dataset.js';
import { maxAbsDifference, meanOfLists, shardRanges, weightedAverage } from './average.js';
import type { Distillation } from '../distillation.js';
import type { GateState } from '../gated-variables.js';
import type { OptimizerState } from '../optimizer-state.js';
import type { OptimizerSettings } from '../optimizer-update.js';
import { readRecords } from '../../data/streaming/read-batch.js';
import { encodeDraws, type ModelValues, type ReplicaPort, type ReplicaTraining, type SharedDataset, type ShardRecords, type WeightValues } from './protocol.js';
import { assignWeights } from './replica.js';
import { DataParallelError, ReplicaGroup } from './replica-group.js';

/** A replica had no memory for its shard of a step; nothing was applied (its message keeps the backend's words). */
export class ReplicaOutOfMemoryError extends Error {
  override name = 'ReplicaOutOfMemoryError';
}

export interface DataParallelOptions {
  model: tfl.LayersModel;
  data: ImageDataset;
  norm: Normalisation;
  replicas: number;
  /** Starts replica `index` (a worker thread in Node, a Web Worker in a browser). */
  spawnReplica: (index: number) => ReplicaPort;
  /** Backend each replica trains on; default 'wasm'. */
  backend?: string;
  /** The optimizer step (fit.ts's): Adam with no weight decay when absent. */
  optimizer?: OptimizerSettings;
  /** Batch norms' momentum while training (Keras's convention); each layer's own when absent. */
  batchNormMomentum?: number;
  /** The teacher is copied to every replica and runs there on each shard. */
  distillation?: Distillation;
  /** A resumed run's optimizer state (from `readOptimizer` at a checkpoint). */
  optimizerState?: OptimizerState;
  /** Soft gates every replica trains under (fit.ts's `gates`). */
  gates?: GateState;
}

const PLAIN_ADAM: OptimizerSettings = { optimizer: 'adam', learningRate: 1e-3, nesterov: false, weightDecay: 0, weightDecayOn: 'all' };

export interface StepResult {
  /** Mean loss over the global batch. */
  loss: number;
  correct: number;
  count: number;
}

export interface DataParallelTrainer {
  readonly replicas: number;
  /** One optimizer step on the global batch `indices`, split across the replicas; a ReplicaOutOfMemoryError if a shard did not fit. */
  step(indices: ArrayLike<number>, draws: readonly AugmentDraw[] | undefined, learningRate: number): Promise<StepResult>;
  /**
   * Writes the weights into the caller's model (moving statistics averaged); returns the replicas' drift (0)
   * and, under gates, the gated weights' free values.
   */
  sync(): Promise<{ drift: number; free?: Float32Array[] }>;
  /** Sends the caller's model's weights (and the gates' new state) to every replica, after something outside training changed them. */
  push(gates?: GateState): Promise<void>;
  /** The optimizer's state (all replicas hold the same), for a checkpoint that resumes exactly. */
  readOptimizer(): Promise<OptimizerState>;
  /** Waits for the step in flight, syncs unless a replica failed (returning what `sync` does), and ends the replicas. */
  finish(): Promise<{ free?: Float32Array[] } | undefined>;
  /** Ends the replicas at once; the caller's model keeps what the last sync wrote. */
  dispose(): Promise<void>;
}

/**
 * Data-parallel training: replicas hold equal copies of the model, each computes gradients on its shard,
 * the coordinator averages them (weighted by shard size) and every replica applies the same optimizer update, so
 * the weights stay equal without being broadcast. Batch norm normalises by shard statistics (as PyTorch's
 * DDP does without SyncBatchNorm); the moving statistics are averaged across replicas at each sync.
 */
export async function startDataParallel(options: DataParallelOptions): Promise<DataParallelTrainer> {
  const { model, data, norm, replicas } = options;
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be a positive integer, got ${replicas}`);
  const weights = readValues(model);
  const parameters = weights.trainable.reduce((sum, w) => sum + w.length, 0);
  const group = new ReplicaGroup(Array.from({ length: replicas }, (_, i) => options.spawnReplica(i)));
  const init = {
    type: 'init' as const,
    backend: options.backend ?? 'wasm',
    topology: model.toJSON(null, false) as object,
    weights,
    data: shareDataset(data),
    norm,
    training: replicaTraining(options),
  };
  try {
    const ready = await Promise.all(Array.from({ length: replicas }, (_, i) => group.request(i, init)));
    const wrong = ready.find((r) => r.parameters !== parameters);
    if (wrong) throw new DataParallelError(`a replica built ${wrong.parameters} parameters, the model has ${parameters}`);
  } catch (error) {
    await group.terminate();
    throw error;
  }

  // Steps, syncs and the finish run one after another, whoever calls them when.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task);
    chain = run.catch(() => undefined);
    return run;
  };

  const step = async (indices: ArrayLike<number>, draws: readonly AugmentDraw[] | undefined, learningRate: number) => {
    if (draws && draws.length !== indices.length) throw new Error(`${draws.length} augmentation draws for ${indices.length} images`);
    const shards = shardRanges(indices.length, replicas)
      .map(([start, end], i) => ({ i, start, end }))
      .filter((s) => s.end > s.start);
    // A streamed data set's records are read here, once, and each replica gets its shard's.
    const streamed = data.stream ? await readRecords(data, indices) : undefined;
    const recordSize = data.height * data.width * data.channels;
    const replies = await Promise.all(
      shards.map(({ i, start, end }) => {
        const records: ShardRecords | undefined = streamed && {
          images: streamed.images.slice(start * recordSize, end * recordSize),
          labels: streamed.labels.slice(start, end),
        };
        const shard = Int32Array.from({ length: end - start }, (_, k) => (records ? k : indices[start + k]));
        const encoded = draws ? encodeDraws(draws.slice(start, end)) : null;
        const transfer = [shard.buffer, ...(encoded ? [encoded.buffer] : []), ...(records ? [records.images.buffer, records.labels.buffer] : [])];
        return group.request(i, { type: 'compute', indices: shard, draws: encoded, ...(records && { records }) }, transfer as ArrayBuffer[]);
      }),
    );
    // A shard that did not fit: no replica applies anything, and those whose shard fitted put their batch-norm
    // statistics back (the failing one already did), so all stay equal; the caller may retry smaller.
    const failed = replies.findIndex((reply) => reply.type === 'out-of-memory');
    if (failed >= 0) {
      for (const { i } of shards) group.send(i, { type: 'rollback' });
      throw new ReplicaOutOfMemoryError(`training replica ${shards[failed].i + 1} of ${replicas}: ${(replies[failed] as { message: string }).message}`);
    }
    const answers = replies.flatMap((reply) => (reply.type === 'out-of-memory' ? [] : [reply]));
    const mean = weightedAverage(answers);
    // A weight any shard's loss reached gets a step (on one engine, the whole batch's loss would reach it).
    const reached = answers[0].reached.map((_, k) => (answers.some((a) => a.reached[k]) ? 1 : 0));
    // Replicas with an empty shard apply too: every optimizer must take the same steps.
    for (let i = 0; i < replicas; i++) {
      const gradients = i === replicas - 1 ? mean : mean.slice();
      group.send(i, { type: 'apply', gradients, reached: reached.slice(), learningRate }, [gradients.buffer as ArrayBuffer]);
    }
    const count = answers.reduce((sum, a) => sum + a.count, 0);
    const loss = answers.reduce((sum, a) => sum + a.loss * a.count, 0) / count;
    return { loss, correct: answers.reduce((sum, a) => sum + a.correct, 0), count };
  };

  const sync = async () => {
    const all = await Promise.all(Array.from({ length: replicas }, (_, i) => group.request(i, { type: 'read' })));
    const drift = Math.max(0, ...all.slice(1).map((a) => maxAbsDifference(all[0].weights.trainable, a.weights.trainable)));
    const statistics = meanOfLists(all.map((a) => a.weights.nonTrainable));
    assignWeights(model.trainableWeights, all[0].weights.trainable);
    assignWeights(model.nonTrainableWeights, statistics);
    // Replicas continue from the averaged statistics too, so they stay interchangeable.
    for (let i = 0; i < replicas; i++) group.send(i, { type: 'setNonTrainable', values: statistics.map((s) => s.slice()) });
    return { drift, ...(all[0].free && { free: all[0].free }) };
  };

  return {
    replicas,
    step: (indices, draws, learningRate) => exclusive(() => step(indices, draws, learningRate)),
    sync: () => exclusive(sync),
    push: (gates) =>
      exclusive(async () => {
        for (let i = 0; i < replicas; i++) group.send(i, { type: 'setWeights', weights: readValues(model), ...(gates && { gates }) });
      }),
    readOptimizer: () => exclusive(async () => (await group.request(0, { type: 'readOptimizer' })).state),
    finish: () =>
      exclusive(async () => {
        if (group.closed && !group.error) return undefined;
        let last: Awaited<ReturnType<typeof sync>> | undefined;
        try {
          if (!group.error) last = await sync();
        } finally {
          await group.terminate();
        }
        if (group.error) throw group.error;
        return last;
      }),
    dispose: () => group.terminate(),
  };
}

function readValues(model: tfl.LayersModel): WeightValues {
  const read = (list: tfl.LayerVariable[]) => list.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
  return { trainable: read(model.trainableWeights), nonTrainable: read(model.nonTrainableWeights) };
}

function replicaTraining(options: DataParallelOptions): ReplicaTraining {
  const { distillation } = options;
  const teacher: (ModelValues & { weight: number; temperature: number }) | undefined = distillation && {
    topology: distillation.teacher.toJSON(null, false) as object,
    weights: readValues(distillation.teacher),
    weight: distillation.weight,
    temperature: distillation.temperature,
  };
  return {
    optimizer: options.optimizer ?? PLAIN_ADAM,
    ...(options.batchNormMomentum !== undefined && { batchNormMomentum: options.batchNormMomentum }),
    ...(teacher && { teacher }),
    ...(options.optimizerState && { optimizerState: options.optimizerState }),
    ...(options.gates && { gates: options.gates }),
  };
}

/**
 * The images go to the replicas once: in shared memory where the host has it (Node; browsers only when
 * cross-origin isolated), else postMessage copies them to each replica.
 */
function shareDataset(data: ImageDataset): SharedDataset {
  const { labels, count, height, width, channels, classNames } = data;
  // A streamed data set sends each shard's records with its step instead.
  const images = data.stream ? new Uint8Array(0) : data.images;
  const canShare = typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
  const share = (array: Uint8Array) => {
    if (!canShare || array.buffer instanceof SharedArrayBuffer) return array;
    const shared = new Uint8Array(new SharedArrayBuffer(array.length));
    shared.set(array);
    return shared;
  };
  return { images: share(images), labels: share(labels), count, height, width, channels, classNames };
}
