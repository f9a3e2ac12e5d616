/**
 * What a sensitivity analysis measured, as plain data: it is cached as JSON, carried in PruneResult and
 * charted by the UI, so this file holds types only (the API contract imports it).
 */
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
