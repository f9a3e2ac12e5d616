import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../data/batches.js';
import type { ChannelGraph, ChannelGroup } from '../graph/channel-graph.js';
import type { ForwardChooser } from '../backend/forward-runner.js';
import type { GroupNormalisation } from './group-normalisation.js';

export interface ImportanceContext {
  model: tfl.LayersModel;
  graph: ChannelGraph;
  /** Training batches for criteria that look at data (the caller owns and disposes them). */
  calibration?: readonly Batch[];
  /** Seed for criteria that draw random numbers. */
  seed: number;
  /** Receives what a criterion had to work around (a fallback, a layer it could not read), for the run's warnings. */
  warn?: (message: string) => void;
  /**
   * Says at once, while the task runs, that scoring had to back off (fewer images at a time after the
   * device ran out of memory): a task-warning event. Without it, such warnings go to `warn`.
   */
  onWarning?: (message: string) => void;
  /** Picks the engine for activation passes (ONNX Runtime where the host has it and it pays off); tfjs without. */
  forward?: ForwardChooser;
}

/** Where a criterion says it backed off to fewer images at a time. */
export const backOffWarning = (context: ImportanceContext): ((message: string) => void) => context.onWarning ?? context.warn ?? (() => {});

/**
 * An importance criterion: one score per channel of every prunable group, higher meaning more important.
 * Criteria that need data get it as `calibration`; all groups are scored in one call so a criterion can
 * share one pass over the data between layers.
 */
export interface ImportanceCriterion {
  id: string;
  label: string;
  /** What it looks at: weights only, activations (forward passes) or gradients (backward passes). */
  needs: 'weights' | 'activations' | 'gradients';
  /** The per-group normalisation its scores are made for (LAMP's ratio for 'lamp'); the run's choice wins, 'mean' when neither says. */
  normalisation?: GroupNormalisation;
  /** It follows each layer through one call (CIP's propagation walk): a model that calls a layer twice is refused before a run. */
  followsOneCall?: boolean;
  scoreGroups(context: ImportanceContext): Promise<Map<number, Float32Array>>;
}

export class CalibrationRequiredError extends Error {
  override name = 'CalibrationRequiredError';
}

/** A criterion that scores each group from the model's weights alone. */
export function weightCriterion(id: string, label: string, scoreGroup: (group: ChannelGroup, context: ImportanceContext) => Float32Array): ImportanceCriterion {
  return {
    id,
    label,
    needs: 'weights',
    async scoreGroups(context) {
      return new Map(context.graph.groups.filter((g) => g.prunable).map((g) => [g.id, scoreGroup(g, context)]));
    },
  };
}

/** Group reduction: members of a coupled group vote with the mean of their per-channel scores. */
export function meanOver(channels: number, perMember: Float32Array[]): Float32Array {
  const total = new Float32Array(channels);
  for (const scores of perMember) for (let c = 0; c < channels; c++) total[c] += scores[c] / perMember.length;
  return total;
}
