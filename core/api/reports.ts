/**
 * What the engine reports about a backend, a data set, a model and a sensitivity analysis, as it crosses
 * to the UI. These are wire types: the engine builds them, but they are defined here, so changing an
 * engine file cannot change what a host sends without this file changing too. Types and plain data only.
 */
import type { ModelInput } from './input-fit.js';
import type { InputContract } from './input-options.js';

/**
 * Compute backends, best first (Pruneflow's names; node-gpu and node both register tfjs's 'tensorflow').
 * webgpu and webgl exist only where the engine runs inside Chromium (the app's window or a browser page).
 */
export const BACKEND_ORDER = ['node-gpu', 'webgpu', 'webgl', 'node', 'wasm', 'cpu'] as const;
export type BackendId = (typeof BACKEND_ORDER)[number];

export interface BackendAttempt {
  id: BackendId;
  /** Why this backend was not taken; absent for the one chosen. */
  reason?: string;
}

/** What the engine runs on and why each better backend was not taken. */
export interface BackendReport {
  active: BackendId;
  /** How the choice was made: automatic or forced by a setting, a flag or the environment. */
  chosenBy: 'auto' | 'setting' | 'flag' | 'environment';
  attempts: BackendAttempt[];
  /** Extra facts about the active backend (SIMD, threads). */
  details: string[];
}

/** A small RGBA picture, ready for a canvas's ImageData. */
export interface Thumbnail {
  width: number;
  height: number;
  rgba: Uint8Array;
  label: number;
  /** Index of the image in its split. */
  index: number;
}

export interface SplitPreview {
  name: string;
  count: number;
  perClass: number[];
}

export interface DatasetPreview {
  format: string;
  classNames: string[];
  height: number;
  width: number;
  channels: number;
  splits: SplitPreview[];
  /** A few images of each class from the first split. */
  samples: Thumbnail[];
  warnings: string[];
}

export interface LayerRow {
  name: string;
  className: string;
  outputShape: (number | null)[];
  parameters: number;
  flops: number;
  /** Output activation values per image (memory = 4 bytes each in float32). */
  activations: number;
}

export interface GroupRow {
  id: number;
  channels: number;
  producers: string[];
  prunable: boolean;
  reasons: string[];
}

/** The pre-flight report: every layer's cost, every channel group, and in plain words what cannot be pruned. */
export interface ModelReport {
  name: string;
  /** The image shape the model takes (null: any size) and the classes it predicts, for checking a data set against it. */
  input?: ModelInput;
  layers: LayerRow[];
  groups: GroupRow[];
  totals: { parameters: number; flops: number; activations: number };
  summary: string[];
  /** How the model expects its images, where its file says (Teachable Machine metadata, a Pruneflow export). */
  inputContract?: InputContract;
  /** Criteria that cannot score this model, by id, and why (a layer called twice, for CIP and NISP): refused before a run. */
  unavailableCriteria?: { id: string; reason: string }[];
}

/** What a sensitivity analysis measured: cached as JSON, carried in PruneResult and charted by the UI. */
export interface SensitivityTable {
  /** Top-1 accuracy of the unpruned model on the evaluation subset. */
  baseline: number;
  /** Images in the evaluation subset. */
  images: number;
  /** The shares of each group that were removed, ascending. */
  ratios: number[];
  /** One row per prunable group, in group order. */
  rows: SensitivityRow[];
}

export interface SensitivityRow {
  group: number;
  /** The layers that write the group's channels (conv, dense). */
  layers: string[];
  channels: number;
  /** One trial per ratio: the group alone loses its lowest-scored channels, the rest of the model stays whole. */
  trials: SensitivityTrial[];
}

export interface SensitivityTrial {
  /** The share asked for. */
  ratio: number;
  /** Channels the trial kept (the share actually removed is 1 - kept / channels). */
  kept: number;
  accuracy: number;
  /** baseline - accuracy, in accuracy units (0.05 = 5 points). */
  drop: number;
}
