/**
 * The one contract between the UI and the engine. Every host (Electron preload, browser host, CLI)
 * implements `EngineApi`; the renderer only ever sees this interface. Types only, plus plain data:
 * this file is imported from every layer, so it must not import tfjs or anything with side effects.
 */
import type { BackendReport } from '../backend/backend-report.js';
import type { DatasetPreview, SplitPreview, Thumbnail } from '../data/preview.js';
import type { GroupRow, LayerRow, ModelReport } from '../graph/preflight.js';

export type { BackendReport, DatasetPreview, GroupRow, LayerRow, ModelReport, SplitPreview, Thumbnail };

export interface EngineInfo {
  name: 'Pruneflow';
  version: string;
  host: 'electron' | 'browser' | 'cli' | 'test';
  backend: BackendReport;
}

export interface DemoOptions {
  /** Fraction of the baseline FLOPs to remove, 0..1. */
  flopsReduction: number;
  trainEpochs: number;
  fineTuneEpochs: number;
  seed: number;
}

export interface ModelSummary {
  accuracy: number;
  parameters: number;
  flops: number;
  /** Median milliseconds for one batch of `latencyBatch` images, inference only. */
  latencyMs: number;
  latencyBatch: number;
  layerWidths: { name: string; channels: number }[];
}

export interface DemoResult {
  dataset: string;
  model: string;
  criterion: string;
  backend: string;
  flopsConvention: string;
  baseline: ModelSummary;
  pruned: ModelSummary;
  pruneOnly: { accuracy: number };
  seconds: number;
}

export interface TaskProgress {
  stage: string;
  /** Completed units of the stage and their total, when known. */
  step: number;
  total: number;
  message: string;
  metrics?: Record<string, number>;
}

export type TaskKind = 'demo';

export type EngineEvent =
  | { type: 'task-progress'; taskId: string; progress: TaskProgress }
  | { type: 'task-done'; taskId: string; result: DemoResult }
  | { type: 'task-failed'; taskId: string; error: SerializedError }
  | { type: 'task-cancelled'; taskId: string };

/** Errors cross process and network boundaries as plain data and are rethrown with their name. */
export interface SerializedError {
  name: string;
  message: string;
}

export interface EngineApi {
  getInfo(): Promise<EngineInfo>;
  startDemo(options: Partial<DemoOptions>): Promise<{ taskId: string }>;
  /** Recognises and reads the data set at a path the engine's host can read (file, folder or archive). */
  inspectDataset(path: string): Promise<DatasetPreview>;
  /** Layers, channel groups and the pre-flight report of a built-in model (by id) or a model file. */
  inspectModel(source: string): Promise<ModelReport>;
  cancelTask(taskId: string): Promise<void>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  flopsReduction: 0.5,
  trainEpochs: 4,
  fineTuneEpochs: 2,
  seed: 1,
};
