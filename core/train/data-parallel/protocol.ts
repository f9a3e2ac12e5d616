/**
 * Messages between the coordinator and its training replicas. Every host (worker_threads in Node, Web
 * Workers in a browser) carries them with postMessage: typed arrays travel by transfer or, for the data set,
 * as a SharedArrayBuffer view; nothing is turned into JSON.
 */
import type { AugmentDraw } from '../../data/augmentation.js';
import type { ImageDataset, Normalisation } from '../../data/image-dataset.js';
import type { GateState } from '../gated-variables.js';
import type { OptimizerState } from '../optimizer-state.js';
import type { OptimizerSettings } from '../optimizer-update.js';

/** Weights split as the model lists them; both sides build the same topology, so the orders agree. */
export interface WeightValues {
  trainable: Float32Array[];
  nonTrainable: Float32Array[];
}

/**
 * The data set without its name: images and labels stay uint8 (shared memory where the host allows). A
 * streamed data set travels without images: each shard's records come with its `compute` message.
 */
export type SharedDataset = Omit<ImageDataset, 'name' | 'stream'>;

/** A shard's own records (from a streamed data set): `indices` of its `compute` message number them 0..n-1. */
export interface ShardRecords {
  images: Uint8Array;
  labels: Uint8Array;
}

/** A model as it travels: its layers topology (`model.toJSON(null, false)`) and its weights. */
export interface ModelValues {
  topology: object;
  weights: WeightValues;
}

/** How each replica trains: the optimizer step of fit.ts, and what else changes the loss or the batch norms. */
export interface ReplicaTraining {
  optimizer: OptimizerSettings;
  /** Batch norms' momentum while training (Keras's convention); each layer's own when absent. */
  batchNormMomentum?: number;
  /** Distillation: the teacher runs on each replica, on that replica's shard. */
  teacher?: ModelValues & { weight: number; temperature: number };
  /** Where a resumed run's optimizer left off (saved from replica 1 at a checkpoint). */
  optimizerState?: OptimizerState;
  /** Soft gates to train under (a continuous pruning schedule): folded after every applied step. */
  gates?: GateState;
}

export type ToReplica =
  | {
      type: 'init';
      /** A backend of core/backend/portable-candidates ('wasm' or 'cpu'). */
      backend: string;
      /** `model.toJSON(null, false)`: the layers topology, custom layers included. */
      topology: object;
      weights: WeightValues;
      data: SharedDataset;
      norm: Normalisation;
      training: ReplicaTraining;
    }
  /** Gradients of the mean loss over this replica's shard; `draws` as encoded by `encodeDraws`. */
  | { type: 'compute'; indices: Int32Array; draws: Int8Array | null; records?: ShardRecords }
  /**
   * The averaged gradients: every replica applies the same optimizer step, so their weights stay equal.
   * `reached` marks the weights any shard's loss reached (1): only they get a step, as on one engine.
   */
  | { type: 'apply'; gradients: Float32Array; reached: Uint8Array; learningRate: number }
  | { type: 'read' }
  /** The optimizer's state (momenta or moments), for a checkpoint. */
  | { type: 'readOptimizer' }
  /** Replaces every weight (an epoch hook changed the caller's model), and the gates' state where it trains under gates. */
  | { type: 'setWeights'; weights: WeightValues; gates?: GateState }
  /** Another replica's shard did not fit: undo what computing this one's moved (batch-norm statistics). */
  | { type: 'rollback' }
  /** Replaces the batch-norm moving statistics (and any other non-trainable weights). */
  | { type: 'setNonTrainable'; values: Float32Array[] };

export type FromReplica =
  | { type: 'ready'; parameters: number }
  | { type: 'gradients'; loss: number; correct: number; count: number; gradients: Float32Array; reached: Uint8Array }
  /** `free`: the gated weights' free values, where the replica trains under gates. */
  | { type: 'weights'; weights: WeightValues; free?: Float32Array[] }
  | { type: 'optimizer'; state: OptimizerState }
  /** Instead of gradients: the shard did not fit in the device's memory. Nothing was kept or changed; a smaller one may fit. */
  | { type: 'out-of-memory'; message: string }
  | { type: 'error'; message: string };

/** Which messages get an answer: the coordinator matches answers to requests in order. */
export const ANSWERED: ReadonlySet<ToReplica['type']> = new Set(['init', 'compute', 'read', 'readOptimizer']);

/** The coordinator's end of one replica; a browser host implements it over a Web Worker. */
export interface ReplicaPort {
  post(message: ToReplica, transfer?: ArrayBuffer[]): void;
  /** Called with each answer, in order. */
  onMessage(listener: (message: FromReplica) => void): void;
  /** Called once if the replica dies without being asked to (crash, out of memory). */
  onFailure(listener: (error: Error) => void): void;
  /** Ends the replica; resolves once it is gone. */
  terminate(): Promise<void>;
}

/** The replica's end: `parentPort` in a Node worker, `self` in a Web Worker. */
export interface ReplicaEndpoint {
  post(message: FromReplica, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: ToReplica) => void): void;
}

/** Three signed bytes per image (dy, dx, flip): shifts are a few pixels, far inside int8. */
export function encodeDraws(draws: readonly AugmentDraw[]): Int8Array {
  const out = new Int8Array(draws.length * 3);
  draws.forEach((d, i) => {
    out[3 * i] = d.dy;
    out[3 * i + 1] = d.dx;
    out[3 * i + 2] = d.flip ? 1 : 0;
  });
  return out;
}

export function decodeDraws(encoded: Int8Array): AugmentDraw[] {
  return Array.from({ length: encoded.length / 3 }, (_, i) => ({ dy: encoded[3 * i], dx: encoded[3 * i + 1], flip: encoded[3 * i + 2] === 1 }));
}
