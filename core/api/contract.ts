/**
 * The one contract between the UI and the engine. Every host (Electron preload, browser host, CLI)
 * implements `EngineApi`; the renderer only ever sees this interface. Types only, plus plain data:
 * this file is imported from every layer, so it must not import tfjs or anything with side effects.
 */
import type { BackendReport } from '../backend/backend-report.js';
import type { DatasetPreview, SplitPreview, Thumbnail } from '../data/preview.js';
import type { GroupRow, LayerRow, ModelReport } from '../graph/preflight.js';
import type { FlowData, FlowRequest } from './importance-flow.js';

export type { BackendReport, DatasetPreview, GroupRow, LayerRow, ModelReport, SplitPreview, Thumbnail };
export type { FlowColumn, FlowData, FlowGroup, FlowLink, FlowNode, FlowRequest, FlowStep } from './importance-flow.js';

export interface EngineInfo {
  name: 'Pruneflow';
  version: string;
  host: 'electron' | 'browser' | 'cli' | 'test';
  backend: BackendReport;
}

export interface DemoOptions {
  /** Fraction of the baseline FLOPs to remove, 0..1. */
  flopsReduction: number;
  /** 0 prunes the untrained CNN: a quick end-to-end check in seconds rather than a minute or more. */
  trainEpochs: number;
  fineTuneEpochs: number;
  seed: number;
}

/** Everything one pruning run needs; the wizard and the CLI both produce it. */
export interface PruneConfig {
  /** A built-in model id ("resnet20") or a model file (model.json, .h5, .keras). */
  model: string;
  /** A data set path (file, folder or archive) or "builtin:fashion-mnist" for the bundled sample. */
  data: string;
  /** An importance criterion id (see `pruneflow prune --help`). */
  criterion: string;
  target: { metric: 'flops' | 'params'; reduction: number };
  /** Global ranking (one threshold over normalised scores) or the same share from every group. */
  ranking: 'global' | 'uniform';
  /** Share of each group that is never removed. */
  protect: number;
  /** Kept channels round up to a multiple of this (8 suits SIMD kernels); 1 = exact. */
  roundTo: number;
  /** Share to remove from chosen layers (by conv/dense layer name), set by hand instead of searched. */
  layerRatios?: Record<string, number>;
  /** Baseline training epochs; 0 uses the model as it is (a trained model file). */
  trainEpochs: number;
  fineTuneEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Batches of training images shown to data-driven criteria. */
  calibrationBatches: number;
  /** How channels go: all at once, in `scheduleSteps` prune/fine-tune steps, or by soft gates (CIP-SPEC section 5). */
  schedule: 'one-shot' | 'iterative' | 'continuous';
  /** Steps of the iterative schedule. */
  scheduleSteps: number;
  /** Epochs of the pruning phase: T_p of the continuous schedule; fine-tuning between iterative steps. */
  softEpochs: number;
  /** Continuous schedule: sigmoid gates, or 0/1 masks (SFP / ASFP ablations). */
  scheduleMask: 'soft' | 'hard';
  /** Continuous schedule: the cubic ramp of the cut, or the whole cut from the start (SFP). */
  scheduleRamp: 'cubic' | 'constant';
  seed: number;
  /** Where to write the pruned model, and in which format. */
  export?: { path: string; format: 'tfjs' | 'keras-h5' | 'keras' };
  /** Optimizer of every training stage: Adam (default) or SGD with momentum 0.9. */
  optimizer?: 'adam' | 'sgd';
  /** L2 penalty on kernels (weight decay); 0 by default. */
  weightDecay?: number;
  /** Learning rate over each training stage: cosine decay (default), steps of 0.1 at 50% and 75%, or constant. */
  lrSchedule?: 'cosine' | 'step' | 'constant';
  /** Training after pruning also learns the unpruned model's soft predictions (off when absent). */
  distillation?: { weight: number; temperature: number };
  /** Baseline training and fine-tuning stop after `patience` epochs without better validation accuracy, keeping the best weights. */
  earlyStopping?: { patience: number };
  /** Share of the training images held out for early stopping's validation; 0.1 by default. */
  validationShare?: number;
  /** Folder that gets the latest checkpoint of baseline training and of fine-tuning (tfjs format). */
  checkpointDir?: string;
  /** A project file (.pruneflow) the session is added to; made, with this run's baseline, if absent. */
  project?: string;
  /** The session's name in the project (default: criterion, schedule and target). */
  sessionName?: string;
}

export interface ModelSummary {
  accuracy: number;
  /** Top-5 accuracy, where the data set has more than 5 classes. */
  top5?: number;
  parameters: number;
  flops: number;
  /** Median milliseconds for one batch of `latencyBatch` images, inference only. */
  latencyMs: number;
  latencyBatch: number;
  layerWidths: { name: string; channels: number }[];
}

export interface PruneResult {
  dataset: string;
  model: string;
  criterion: string;
  /** The cut asked for and the cut counted on the pruned model. */
  target: PruneConfig['target'];
  backend: string;
  flopsConvention: string;
  baseline: ModelSummary;
  pruned: ModelSummary;
  pruneOnly: { accuracy: number };
  seconds: number;
  /** Files written by the export, if one was asked for. */
  exported: string[];
  warnings: string[];
  /** The project file the session was saved to, and its id there. */
  project?: { path: string; session: string };
}

/** The demo is a pruning run with fixed choices. */
export type DemoResult = PruneResult;

export interface TaskProgress {
  stage: string;
  /** Completed units of the stage and their total, when known. */
  step: number;
  total: number;
  message: string;
  metrics?: Record<string, number>;
}

export type EngineEvent =
  | { type: 'task-progress'; taskId: string; progress: TaskProgress }
  | { type: 'task-done'; taskId: string; result: PruneResult }
  | { type: 'task-failed'; taskId: string; error: SerializedError }
  | { type: 'task-cancelled'; taskId: string }
  /** The task holds at a batch boundary until resumed (or cancelled). */
  | { type: 'task-paused'; taskId: string }
  | { type: 'task-resumed'; taskId: string }
  /** A pruning session moved to another state (core/session/session-state.ts). */
  | { type: 'task-state'; taskId: string; state: SessionState };

/**
 * The states of a pruning session, in order, and its two other ends. Baseline training happens while
 * `configured`; `evaluated` is the pruned model measured, `done` the session saved.
 */
export type SessionState =
  | 'configured'
  | 'baseline-evaluated'
  | 'importance-computed'
  | 'pruning'
  | 'fine-tuning'
  | 'evaluated'
  | 'done'
  | 'failed'
  | 'cancelled';

/** Errors cross process and network boundaries as plain data and are rethrown with their name. */
export interface SerializedError {
  name: string;
  message: string;
}

export interface EngineApi {
  getInfo(): Promise<EngineInfo>;
  startDemo(options: Partial<DemoOptions>): Promise<{ taskId: string }>;
  /** Starts a pruning run; progress and the result arrive as events for the returned task. */
  startPruning(config: Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>): Promise<{ taskId: string }>;
  /** Recognises and reads the data set at a path the engine's host can read (file, folder or archive). */
  inspectDataset(path: string): Promise<DatasetPreview>;
  /** Layers, channel groups and the pre-flight report of a built-in model (by id) or a model file. */
  inspectModel(source: string): Promise<ModelReport>;
  /** The importance-flow diagram of a model: scores, propagated importance and the steps of a prune schedule. */
  importanceFlow(request: FlowRequest): Promise<FlowData>;
  cancelTask(taskId: string): Promise<void>;
  /** Holds the task at its next batch boundary; `task-paused` follows once it holds there. */
  pauseTask(taskId: string): Promise<void>;
  resumeTask(taskId: string): Promise<void>;
  /** Continues an unfinished session of a project file from its last checkpoint (the only one, or `sessionId`). */
  resumeSession(projectPath: string, sessionId?: string): Promise<{ taskId: string }>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  flopsReduction: 0.5,
  trainEpochs: 4,
  fineTuneEpochs: 2,
  seed: 1,
};

export const DEFAULT_PRUNE_CONFIG: Omit<PruneConfig, 'model' | 'data'> = {
  criterion: 'l1',
  target: { metric: 'flops', reduction: 0.5 },
  ranking: 'global',
  protect: 0.1,
  roundTo: 1,
  trainEpochs: 4,
  fineTuneEpochs: 2,
  batchSize: 64,
  learningRate: 2e-3,
  calibrationBatches: 10,
  schedule: 'one-shot',
  scheduleSteps: 3,
  softEpochs: 4,
  scheduleMask: 'soft',
  scheduleRamp: 'cubic',
  seed: 1,
};
