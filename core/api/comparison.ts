/**
 * Sessions side by side, and what the UI shows of a project file, as plain data. Types only (this file is
 * part of the API contract and is imported from every layer).
 */
import type { PruneResult } from './contract.js';
import type { SpeedMeasurement } from './measured-speed.js';

/** A session of a project file: by id ("s2") or by name; all of the project's sessions when absent. */
export interface SessionRef {
  path: string;
  session?: string;
}

/** One session's row. Metrics are absent for a session that has no result (failed, cancelled, running). */
export interface ComparisonRow {
  /** The project file as it was given. */
  project: string;
  sessionId: string;
  sessionName: string;
  status: string;
  criterion: string;
  schedule: string;
  target: { metric: 'flops' | 'params'; reduction: number };
  model: string;
  baseline?: RowMetrics;
  pruned?: RowMetrics;
  /** Pruned minus baseline top-1 accuracy, in accuracy units (0.01 = one point). */
  accuracyChange?: number;
  /** Pruned over baseline, minus 1 (-0.5 = half the FLOPs gone). */
  flopsChange?: number;
  parametersChange?: number;
  /** Baseline latency over pruned latency (2 = twice as fast): the median of paired runs where `speed` has them. */
  speedup?: number;
  /** The paired runs behind `speedup`, with their spread (absent for sessions saved before it was measured so). */
  speed?: SpeedMeasurement;
  /** Wall time of the whole run, seconds. */
  seconds?: number;
}

export interface RowMetrics {
  accuracy: number;
  top5?: number;
  flops: number;
  parameters: number;
  latencyMs: number;
  latencyBatch: number;
}

/** One point of the accuracy-versus-FLOPs chart. */
export interface ParetoPoint {
  /** Index into `Comparison.rows`; -1 for a baseline. */
  row: number;
  label: string;
  accuracy: number;
  flops: number;
  /** No other session is at least as accurate with at most as many FLOPs, and better in one of them. */
  pareto: boolean;
  baseline: boolean;
}

/** Kept channels of one layer in every session, beside the baseline's width. */
export interface LayerWidthRow {
  layer: string;
  /** Per session (the order of `Comparison.rows`): the baseline's width, null where that model has no such layer. */
  baseline: (number | null)[];
  kept: (number | null)[];
}

export interface Comparison {
  rows: ComparisonRow[];
  /** Sessions with a result, then one point per distinct baseline. */
  points: ParetoPoint[];
  layers: LayerWidthRow[];
  flopsConvention?: string;
}

/** What the UI lists when it opens a project file. */
export interface ProjectSummary {
  path: string;
  created: string;
  modified: string;
  appVersion: string;
  dataset: { path: string; format: string; contentHash: string; files: number; bytes: number; found: boolean };
  baseline: { source: string; trainEpochs: number; accuracy?: number; flops?: number; parameters?: number };
  sessions: SessionSummary[];
}

export interface SessionSummary {
  id: string;
  name: string;
  status: string;
  started: string;
  finished?: string;
  criterion: string;
  schedule: string;
  target: { metric: 'flops' | 'params'; reduction: number };
  steps: number;
  removedChannels: number;
  metrics?: { accuracy: number; top5?: number; flops: number; parameters: number; latencyMs: number; seconds: number };
  /** The session's result as the project stores it, for its Results screen (absent until it finished). */
  result?: PruneResult;
}

export type ReportFormat = 'html' | 'md' | 'csv';
export type ModelExportFormat = 'tfjs' | 'keras-h5' | 'keras' | 'onnx' | 'tflite';
