/**
 * The one contract between the UI and the engine. Every host (Electron preload, browser host, CLI)
 * implements `EngineApi`; the renderer only ever sees this interface. Types, the run options' plain defaults
 * and the table of calls (ENGINE_CALLS, at the end): this file is imported from every layer, so it must not
 * import tfjs or anything with side effects.
 */
import type {
  BackendReport,
  DatasetPreview,
  GroupRow,
  LayerRow,
  ModelReport,
  SensitivityRow,
  SensitivityTable,
  SensitivityTrial,
  SplitPreview,
  Thumbnail,
} from './reports.js';
import type { FlowData, FlowRequest, SessionFlowRequest } from './importance-flow.js';
import type { Comparison, ModelExportFormat, ProjectSummary, ReportFormat, SessionRef } from './comparison.js';
import type { DemoOptions, PruneConfig, PruneConfigInput } from './run-options.js';
import type { SpeedMeasurement, Spread } from './measured-speed.js';
import type { RunningSweep, SweepEvent, SweepPlan, SweepRunOptions } from './sweep.js';
import * as arg from './call-args.js';

export type { BackendReport, DatasetPreview, GroupRow, LayerRow, ModelReport, SensitivityRow, SensitivityTable, SensitivityTrial, SplitPreview, Thumbnail };
/** How `exportSession` writes the model: ONNX with batch norms folded into the layers before them. */
export interface ExportSessionOptions {
  foldBatchNorm?: boolean;
}

export type {
  Comparison,
  ComparisonRow,
  LayerWidthRow,
  ModelExportFormat,
  ParetoPoint,
  ProjectSummary,
  ReportFormat,
  RowMetrics,
  SessionRef,
  SessionSummary,
} from './comparison.js';
export type { DemoOptions, PruneConfig, PruneConfigInput } from './run-options.js';
export type { SpeedMeasurement, Spread } from './measured-speed.js';
/** Run options and their defaults are defined once, in run-options.ts. */
export { DEFAULT_DEMO_OPTIONS, DEFAULT_PRUNE_CONFIG } from './run-options.js';
export type { FlowColumn, FlowData, FlowGroup, FlowLink, FlowNode, FlowRequest, FlowSession, FlowStep, SessionFlowRequest } from './importance-flow.js';

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

export interface ModelSummary {
  accuracy: number;
  /** Top-5 accuracy, where the data set has more than 5 classes. */
  top5?: number;
  parameters: number;
  flops: number;
  /** Median milliseconds for one batch of `latencyBatch` images, inference only. */
  latencyMs: number;
  latencyBatch: number;
  /** The runs behind `latencyMs`: median, quartiles and how many (absent in projects saved before it was kept). */
  latency?: Spread;
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
  /** The multiple kept channels were rounded to: the one asked for, or the default the run chose (absent in older projects). */
  roundTo?: number;
  backend: string;
  flopsConvention: string;
  baseline: ModelSummary;
  pruned: ModelSummary;
  pruneOnly: { accuracy: number };
  /** The speed-up measured in paired runs with its spread (absent in projects saved before it was measured so). */
  speed?: SpeedMeasurement;
  /** The speed-up the timing engine's measured cost model predicted for the pruned widths (an estimate, beside `speed`). */
  speedEstimate?: { speedup: number; engine: string };
  seconds: number;
  /** Files written by the export, if one was asked for. */
  exported: string[];
  warnings: string[];
  /** The project file the session was saved to, and its id there. */
  project?: { path: string; session: string };
  /** The sensitivity analysis the ranking used, when it used one. */
  sensitivity?: SensitivityTable;
  /** Which engine ran each forward-only job (evaluation, activations, sensitivity, latency) and why. */
  forwardPasses?: string[];
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
  /** Which engine ran the forward passes and why. */
  forwardPasses?: string[];
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
  | { type: 'prune-step'; taskId: string; step: PruneStep }
  /** A sweep's job moved or the sweep ended (core/api/sweep.ts); `taskId` is the sweep's id. */
  | { type: 'sweep'; taskId: string; sweep: SweepEvent };

/**
 * The states of a pruning session, in order, and its two other ends. Baseline training happens while
 * `configured`; `evaluated` is the pruned model measured, `done` the session saved.
 */
export type SessionState =
  'configured' | 'baseline-evaluated' | 'importance-computed' | 'pruning' | 'fine-tuning' | 'evaluated' | 'done' | 'failed' | 'cancelled';

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
  /** Kept channels rounded up to multiples of this; absent: the engine picks the rounding that pays on the engine that will time the run. */
  roundTo?: number;
  /** The run is a quick trial (a sample): it times fewer images, which may not repay the engine a full run times on. */
  quickTrial?: boolean;
}

/** The latency model of the engine that will time a run's models, measured on this machine (core/metrics/latency-model.ts). */
export interface LatencyModelInfo {
  /** 'onnxruntime' or 'wasm'; absent (with `block` 1) where no model was measured for the backend: time is taken to follow FLOPs. */
  engine?: 'onnxruntime' | 'wasm';
  /** Who times the run, in words ("ONNX Runtime (CPU)"). */
  label: string;
  /** The channel block its kernels work in: the rounding that pays. */
  block: number;
  /** Why that rounding is the default, in a sentence. */
  why: string;
  /** A quick trial timed by another engine than a full run would be: who times the full run, in words. */
  fullRun?: string;
}

export interface CutEstimate {
  baseline: { flops: number; params: number };
  /**
   * Cuts of the metric asked for, 5% to 95% in steps of 5%, with the same share from every layer; absent where too deep to reach.
   * `time`: the pruned model's inference time over the baseline's, predicted by the timing engine's measured cost model.
   */
  points: { reduction: number; flops: number; params: number; time?: number }[];
  latency?: LatencyModelInfo;
  /** The rounding counted: the one asked for, or where none was, the one a run would choose (the timing engine's block, fitted to the narrowest layer). */
  roundTo?: number;
  /** Why a run without a rounding would use `roundTo`, in words (absent when one was asked for). */
  roundingWhy?: string;
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
  startPruning(config: PruneConfigInput): Promise<{ taskId: string }>;
  /** Starts a sensitivity analysis of a (trained or loaded) model; the report arrives as 'sensitivity-done'. */
  startSensitivity(config: PruneConfigInput): Promise<{ taskId: string }>;
  /** Recognises and reads the data set at a path the engine's host can read (file, folder or archive). */
  inspectDataset(path: string): Promise<DatasetPreview>;
  /** Layers, channel groups and the pre-flight report of a built-in model (by id) or a model file. */
  inspectModel(source: string): Promise<ModelReport>;
  /** The importance-flow diagram of a model: scores, propagated importance and the steps of a prune schedule. */
  importanceFlow(request: FlowRequest): Promise<FlowData>;
  /** The importance flow of a finished session, from what it recorded: its scores, schedule steps and kept channels. */
  sessionFlow(request: SessionFlowRequest): Promise<FlowData>;
  /** A project file's data set, baseline and sessions with their metrics and status. */
  openProject(path: string): Promise<ProjectSummary>;
  /** Sessions of one or several project files side by side (a reference without a session: all of that file's). */
  compareSessions(refs: SessionRef[]): Promise<Comparison>;
  /** Replays a session on its project's baseline and writes the pruned model into the folder `out`. */
  exportSession(path: string, sessionId: string, format: ModelExportFormat, out: string, options?: ExportSessionOptions): Promise<{ files: string[] }>;
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
  /** The jobs a sweep spec (core/api/sweep.ts) makes in its project, before it starts; hosts without files refuse. */
  planSweep(spec: unknown): Promise<SweepPlan>;
  /** Starts a sweep; its jobs arrive as 'sweep' events for the returned id (also its `taskId`). */
  startSweep(spec: unknown, options?: SweepRunOptions): Promise<{ sweepId: string }>;
  /** Cancels a sweep's jobs (running ones stop, queued ones never start). */
  cancelSweep(sweepId: string): Promise<void>;
  /**
   * The sweeps running on the engine's host, with every job as it stands (a Sweep screen opened after a reload or in
   * another window shows them again); none on hosts without files.
   */
  runningSweeps(): Promise<RunningSweep[]>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

/**
 * Every engine call once, with its arguments' checks: the one table the call layer reads. The engine checks
 * each call against it at its entry (validate-call.ts); every transport (Electron IPC, worker thread, Web Worker,
 * WebSocket) carries every call listed here with no code of its own (bridge.ts, rpc.ts); a call whose answer
 * has a `taskId` (a sweep: `sweepId`) runs as a task until its end event, and fails if the engine dies first.
 * A new call is a method of EngineApi above, its entry here, and the engine's code: nothing else.
 */
export const ENGINE_CALLS = {
  getInfo: arg.args(),
  startDemo: arg.args(arg.demoOptions),
  startPruning: arg.args(arg.pruneConfig),
  startSensitivity: arg.args(arg.pruneConfig),
  inspectDataset: arg.args(arg.path),
  inspectModel: arg.args(arg.path),
  importanceFlow: arg.args(arg.flowRequest),
  sessionFlow: arg.args(arg.sessionFlowRequest),
  openProject: arg.args(arg.path),
  compareSessions: arg.args(arg.sessionRefs),
  exportSession: arg.args(arg.path, arg.sessionId, arg.exportFormat, arg.path, arg.optional(arg.exportOptions)),
  writeReport: arg.args(arg.path, arg.sessionIds, arg.reportFormat, arg.path),
  listFolder: arg.args(arg.pathOrHome),
  estimateCut: arg.args(arg.cutRequest),
  cancelTask: arg.args(arg.taskId),
  pauseTask: arg.args(arg.taskId),
  resumeTask: arg.args(arg.taskId),
  resumeSession: arg.args(arg.path, arg.optional(arg.resumableSessionId)),
  saveProject: arg.args(arg.path),
  saveProjectAs: arg.args(arg.path, arg.path, arg.optional(arg.overwrite)),
  recentProjects: arg.args(),
  planSweep: arg.args(arg.sweepSpec),
  startSweep: arg.args(arg.sweepSpec, arg.optional(arg.sweepRunOptions)),
  cancelSweep: arg.args(arg.taskId),
  runningSweeps: arg.args(),
} satisfies { [M in Exclude<keyof EngineApi, 'onEvent'>]: arg.ArgsCheck };
