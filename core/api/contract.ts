/**
 * The one contract between the UI and the engine. Every host (Electron preload, browser host, CLI)
 * implements `EngineApi`; the renderer only ever sees this interface. Types only, plus plain data:
 * this file is imported from every layer, so it must not import tfjs or anything with side effects.
 */
import type { BackendReport } from '../backend/backend-report.js';
import type { InputOptions } from './input-options.js';
import type { DatasetPreview, SplitPreview, Thumbnail } from '../data/preview.js';
import type { GroupRow, LayerRow, ModelReport } from '../graph/preflight.js';
import type { FlowData, FlowRequest } from './importance-flow.js';
import type { SensitivityRow, SensitivityTable, SensitivityTrial } from '../prune/sensitivity/sensitivity-table.js';
import type { Comparison, ModelExportFormat, ProjectSummary, ReportFormat, SessionRef } from './comparison.js';

export type { BackendReport, DatasetPreview, GroupRow, LayerRow, ModelReport, SensitivityRow, SensitivityTable, SensitivityTrial, SplitPreview, Thumbnail };
export type { Comparison, ComparisonRow, LayerWidthRow, ModelExportFormat, ParetoPoint, ProjectSummary, ReportFormat, RowMetrics, SessionRef, SessionSummary } from './comparison.js';
export type { FlowColumn, FlowData, FlowGroup, FlowLink, FlowNode, FlowRequest, FlowStep } from './importance-flow.js';

export interface EngineInfo {
  name: 'Pruneflow';
  version: string;
  /** Where the engine runs: Electron's engine worker, the `serve` server, a worker of the UI's own page, the CLI. */
  host: 'electron' | 'browser' | 'page' | 'cli' | 'test';
  backend: BackendReport;
  /** Live tensors and their bytes on the backend: constant between tasks, or something leaks. */
  memory: { tensors: number; bytes: number };
  /** The engine can open, browse and save files on the user's computer (false: an engine in a page with no host to lend them). */
  files: boolean;
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
  /**
   * Global ranking (one threshold over normalised scores), the same share from every group, or shares
   * chosen from a sensitivity analysis (each group pruned alone, accuracy measured; cached).
   */
  ranking: 'global' | 'uniform' | 'sensitivity';
  /** Sensitivity analysis: the shares of each group to try (default 0.25, 0.5, 0.75). */
  sensitivityRatios?: number[];
  /** Sensitivity analysis: training images it measures accuracy on (default 500). */
  sensitivityImages?: number;
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
  /** A quick trial: a stratified, seeded sample of this many training and test images instead of all. */
  sample?: { train: number; test: number };
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
  /** How the model expects its images; absent: what the model file says, else detected on the data (core/api/input-options.ts). */
  input?: InputOptions;
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
  /** Top-1 per class on the test images, in the data set's class order (absent in projects saved before it was measured). */
  perClass?: ClassScore[];
}

/** One class's test images and how many of them the model got right. */
export interface ClassScore {
  name: string;
  images: number;
  correct: number;
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
  /** The sensitivity analysis the ranking used, when it used one. */
  sensitivity?: SensitivityTable;
}

/** What `startSensitivity` measures: accuracy drop of each group pruned alone at several shares. */
export interface SensitivityReport {
  dataset: string;
  model: string;
  criterion: string;
  backend: string;
  table: SensitivityTable;
  /** True when the table came from the cache instead of being measured. */
  cached: boolean;
  seconds: number;
  warnings: string[];
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
  /** A warning, not progress (a smaller batch after running out of memory): sent as a task-warning event. */
  warning?: true;
}

/** Channels kept per layer after one step of a pruning schedule, for the Run screen's live bars. */
export interface PruneStep {
  /** One-shot: 1 of 1; iterative: step i of k; continuous: gate update t of T_p, from 0. */
  step: number;
  steps: number;
  /** Share of the target metric removed by the channels kept so far, counted against the baseline. */
  cut: number;
  metric: 'flops' | 'params';
  /** Every conv and dense layer of the baseline: its channels kept and its width before pruning. */
  layers: { name: string; kept: number; total: number }[];
}

export type EngineEvent =
  | { type: 'task-progress'; taskId: string; progress: TaskProgress }
  /** Something the user should know that does not stop the task ("Batch 64 did not fit in GPU memory; continuing with 32"). */
  | { type: 'task-warning'; taskId: string; message: string }
  | { type: 'task-done'; taskId: string; result: PruneResult }
  | { type: 'sensitivity-done'; taskId: string; result: SensitivityReport }
  | { type: 'task-failed'; taskId: string; error: SerializedError }
  | { type: 'task-cancelled'; taskId: string }
  /** The task holds at a batch boundary until resumed (or cancelled). */
  | { type: 'task-paused'; taskId: string }
  | { type: 'task-resumed'; taskId: string }
  /** A pruning session moved to another state (core/session/session-state.ts). */
  | { type: 'task-state'; taskId: string; state: SessionState }
  /** A pruning schedule removed (or gated) channels: the kept widths so far. */
  | { type: 'prune-step'; taskId: string; step: PruneStep };

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

/** One entry of a folder on the engine's host, for the UI's file browser. */
export interface FolderEntry {
  name: string;
  kind: 'folder' | 'file';
  /** Bytes, for files. */
  size?: number;
}

export interface FolderListing {
  /** The folder, absolute, as the host spells it. */
  path: string;
  /** Its parent folder, absent at the root. */
  parent?: string;
  /** Folders first, then files, each by name; hidden entries left out. */
  entries: FolderEntry[];
  /** Entries left out past the listing's limit. */
  truncated: number;
}

/** What a share of channels removed leaves of a model, for the wizard's target slider. */
export interface CutRequest {
  /** A built-in model id or a model file. */
  model: string;
  /** The images the model is built for (built-in models only; a model file has its own input). */
  input?: { height: number; width: number; channels: number; classes: number };
  metric: 'flops' | 'params';
}

export interface CutEstimate {
  baseline: { flops: number; params: number };
  /** Cuts of the metric asked for, 5% to 95% in steps of 5%, with the same share from every layer; absent where too deep to reach. */
  points: { reduction: number; flops: number; params: number }[];
}

/** A project file confirmed whole on disk (Save) or written to a new path (Save As). */
export interface SavedProject {
  /** The file, as the host spells it. */
  path: string;
  /** When the project was last written, ISO 8601. */
  modified: string;
  sessions: number;
}

/** One entry of the recently opened or saved projects, newest first. */
export interface RecentProject {
  path: string;
  /** The file name, for the list. */
  name: string;
  /** False when nothing is at the path any more (moved or deleted). */
  found: boolean;
}

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
  /** Starts a sensitivity analysis of a (trained or loaded) model; the report arrives as 'sensitivity-done'. */
  startSensitivity(config: Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>): Promise<{ taskId: string }>;
  /** Recognises and reads the data set at a path the engine's host can read (file, folder or archive). */
  inspectDataset(path: string): Promise<DatasetPreview>;
  /** Layers, channel groups and the pre-flight report of a built-in model (by id) or a model file. */
  inspectModel(source: string): Promise<ModelReport>;
  /** The importance-flow diagram of a model: scores, propagated importance and the steps of a prune schedule. */
  importanceFlow(request: FlowRequest): Promise<FlowData>;
  /** A project file's data set, baseline and sessions with their metrics and status. */
  openProject(path: string): Promise<ProjectSummary>;
  /** Sessions of one or several project files side by side (a reference without a session: all of that file's). */
  compareSessions(refs: SessionRef[]): Promise<Comparison>;
  /** Replays a session on its project's baseline and writes the pruned model into the folder `out`. */
  exportSession(path: string, sessionId: string, format: ModelExportFormat, out: string): Promise<{ files: string[] }>;
  /** Writes a report of a project's sessions (all when `sessionIds` is empty) to the file `out`. */
  writeReport(path: string, sessionIds: string[], format: ReportFormat, out: string): Promise<{ file: string }>;
  /** Folders and files at a path on the engine's host (an empty path: the home folder); hosts without files refuse. */
  listFolder(path: string): Promise<FolderListing>;
  /** FLOPs and parameters left by each cut of a model, counted on its channel graph. */
  estimateCut(request: CutRequest): Promise<CutEstimate>;
  cancelTask(taskId: string): Promise<void>;
  /** Holds the task at its next batch boundary; `task-paused` follows once it holds there. */
  pauseTask(taskId: string): Promise<void>;
  resumeTask(taskId: string): Promise<void>;
  /** Continues an unfinished session of a project file from its last checkpoint (the only one, or `sessionId`). */
  resumeSession(projectPath: string, sessionId?: string): Promise<{ taskId: string }>;
  /**
   * Save: sessions are written to their project as they run, so this confirms the file at `path` is
   * whole and current (read back with its integrity hashes) and records it as recent.
   */
  saveProject(path: string): Promise<SavedProject>;
  /** Save As: writes a copy of the project at `from` to `to` atomically; an existing `to` only with `overwrite`. */
  saveProjectAs(from: string, to: string, overwrite?: boolean): Promise<SavedProject>;
  /** The projects opened or saved last on this engine's host (kept in its settings folder), newest first. */
  recentProjects(): Promise<RecentProject[]>;
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
