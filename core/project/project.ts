import type { InputContract } from '../models/input-contract.js';
import type { InputLayout } from '../models/input-layout.js';
import type { ModelSummary, PruneConfig, PruneResult, SessionState, TaskProgress } from '../api/contract.js';

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
  /** How the model expects its images (from its file, the user or detection); absent in projects saved before. */
  inputContract?: InputContract;
  /** 'nhwc' when the model file took channels-last images (an ONNX file from tf2onnx); absent: NCHW. */
  inputLayout?: InputLayout;
}

export type SessionStatus = 'configured' | 'running' | 'done' | 'failed' | 'cancelled';

export interface StoredSession {
  record: SessionRecord;
  /**
   * The pruned model's weights (fine-tuned), in the order and layout `record.weightSpecs` gives; while
   * unfinished, those of its checkpoint (none before pruning).
   */
  weights: Uint8Array;
  /** While unfinished, within a training stage: the optimizer's state (`record.checkpoint.training.optimizer`). */
  optimizer?: Uint8Array;
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
  /** The state the session reached (core/session/session-state.ts); absent in files saved before states were kept. */
  state?: SessionState;
  /** What an unfinished session can go on from; removed once it is done. */
  checkpoint?: SessionCheckpoint;
  /** Why a failed session failed. */
  error?: { name: string; message: string };
  [field: string]: unknown;
}

/**
 * The last checkpoint of an unfinished session. While the baseline of a new project trains (state
 * 'configured'), the project's baseline holds that training's latest weights; from 'fine-tuning' on,
 * the session's weights hold the pruned model's (the architecture replays from the history).
 */
export interface SessionCheckpoint {
  /** The state it was taken in: 'configured' (baseline training), 'baseline-evaluated' or 'fine-tuning'. */
  state: SessionState;
  /** When it was saved (ISO 8601). */
  saved: string;
  /** The baseline's measurements, once evaluated. */
  baseline?: ModelSummary;
  /** Accuracy of the pruned model before fine-tuning, once pruned. */
  pruneOnlyAccuracy?: number;
  /** Within a training stage: where its last finished epoch left it. */
  training?: TrainingCheckpoint;
  [field: string]: unknown;
}

export interface TrainingCheckpoint {
  stage: 'training' | 'fine-tuning';
  /** Epochs finished, and the stage's total. */
  epoch: number;
  epochs: number;
  /** The training generator's position (shuffles, augmentation) after that epoch. */
  random: number;
  /** Specs of the optimizer state in `StoredSession.optimizer` (from a replica when training ran data-parallel). */
  optimizer?: WeightSpec[];
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
