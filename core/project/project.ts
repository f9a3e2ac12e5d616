import type { PruneConfig, PruneResult, TaskProgress } from '../api/contract.js';

/**
 * A project in memory: one data set, one baseline model and any number of pruning sessions made from it.
 * `parseProject` and `serializeProject` turn it into the bytes of a `.pruneflow` file and back.
 * Records carry an index signature: fields a newer Pruneflow added stay in them and are saved again.
 */
export interface Project {
  /** When the project was made and last saved (ISO 8601). */
  created: string;
  modified: string;
  /** The Pruneflow version that saved it last. */
  appVersion: string;
  dataset: DatasetRef;
  baseline: StoredModel;
  sessions: StoredSession[];
  /** Manifest fields, project fields and parts this version does not know: kept, and written back. */
  unknown: UnknownContent;
}

export interface UnknownContent {
  manifest: Record<string, unknown>;
  project: Record<string, unknown>;
  /** Parts listed in the manifest that this version does not read, by path. */
  parts: Map<string, Uint8Array>;
}

/** Where the data set is and what it holds, so a moved or swapped data set is recognised. */
export interface DatasetRef {
  /** As the user gave it: a path, or "builtin:fashion-mnist". */
  path: string;
  /** The format id detection found ("cifar10-binary", "idx", ...). */
  format: string;
  /** "sha256:<hex>" over the data set's files (see hashFileTree). */
  contentHash: string;
  files: number;
  bytes: number;
  [field: string]: unknown;
}

/** A tfjs layers model as its files: model.json and one weight file. */
export interface StoredModel {
  /** What it was made from: a built-in model id or a model file, and the baseline training it had. */
  source: string;
  trainEpochs: number;
  modelJson: Uint8Array;
  weights: Uint8Array;
}

export type SessionStatus = 'configured' | 'running' | 'done' | 'failed' | 'cancelled';

export interface StoredSession {
  record: SessionRecord;
  /** The pruned model's weights (fine-tuned), in the order and layout `record.weightSpecs` gives. */
  weights: Uint8Array;
}

export interface SessionRecord {
  id: string;
  name: string;
  config: PruneConfig;
  status: SessionStatus;
  started: string;
  finished?: string;
  environment: SessionEnvironment;
  /** The removals that turn the baseline into the pruned architecture, step by step. */
  history: HistoryStep[];
  /** Progress events that carried metrics (training and fine-tuning steps), in order. */
  metrics: TaskProgress[];
  result?: PruneResult;
  /** tfjs weight specs of `StoredSession.weights` (names, shapes, dtypes). */
  weightSpecs: WeightSpec[];
  [field: string]: unknown;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
}

export interface SessionEnvironment {
  /** The tfjs backend that ran it: wasm, tensorflow, cpu, ... */
  backend: string;
  /** Which host ran it (cli, electron, browser) and what the host says about its machine. */
  host: string;
  machine: Record<string, string>;
  /** Pruneflow, TensorFlow.js and the host's runtime versions. */
  versions: Record<string, string>;
  [field: string]: unknown;
}

/** One structural pruning step: which channels of which groups went. */
export interface HistoryStep {
  /** 1-based, in the order applied. */
  step: number;
  /** The groups that lost channels at this step. */
  groups: GroupRemoval[];
  /** Importance of every channel of every scored group at this step (the criterion's raw scores). */
  scores: GroupScores[];
  [field: string]: unknown;
}

export interface GroupRemoval {
  /** Group id in the channel graph of the model this step was applied to. */
  group: number;
  /** The layers that write the group's channels: how replay finds the group again. */
  producers: string[];
  /** The group's width before the step. */
  channels: number;
  /** Removed channel indices, ascending. */
  removed: number[];
  [field: string]: unknown;
}

export interface GroupScores {
  group: number;
  producers: string[];
  values: number[];
}
