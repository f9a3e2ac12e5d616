import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../../data/batches.js';
import type { ChannelGraph } from '../../graph/channel-graph.js';
import type { ImportanceCriterion } from '../../importance/criterion.js';
import type { TrainingGates } from '../../train/gated-variables.js';
import { planPruning, planUniform, type PruningPlan, type PruningTarget } from '../budget.js';

/** Training as a schedule needs it; the session binds it to the data (prune/ runs no training itself). */
export interface ScheduleTraining {
  epochs: number;
  /** Progress stage name ("pruning"). */
  stage: string;
  /** Soft gates to train under: folded after every optimizer step, on every training engine. */
  gates?: TrainingGates;
  /** After every epoch, with its index. */
  onEpochEnd?: (epoch: number) => void | Promise<void>;
}

export interface ScheduleContext {
  criterion: ImportanceCriterion;
  /** Batches for data-driven criteria (the caller owns them; empty for weight criteria). */
  calibration: readonly Batch[];
  seed: number;
  /** The final cut, with protection and rounding. */
  target: Omit<PruningTarget, 'fixedRatios'>;
  ranking: 'global' | 'uniform';
  /** Hand-set shares by group of a graph (layer names are looked up again on each pruned graph). */
  fixedRatios?: (graph: ChannelGraph) => ReadonlyMap<number, number> | undefined;
  /** Trains the model in place. */
  train(model: tfl.LayersModel, options: ScheduleTraining): Promise<void>;
  /**
   * Re-estimates a pruned model's batch-norm statistics in place, so that a step that follows without training
   * scores the model a data-driven criterion will actually see (stale statistics skew every activation downstream).
   */
  recalibrate?(model: tfl.LayersModel): Promise<void>;
  /** A line for the progress log. */
  note?(message: string): void;
  /** What the criterion had to work around; the session lists these with the result. */
  warn?(message: string): void;
  /**
   * Each structural step, before its channels go: the graph of the model it applies to, the plan
   * (kept channels per group) and the scores it was made from. A session records these to replay them.
   */
  onPlan?(step: number, graph: ChannelGraph, plan: PruningPlan, scores: ReadonlyMap<number, Float32Array>): void;
  /**
   * The channels kept per group of `graph` (groups absent keep all), for live progress: after each
   * structural step (`step` of `steps`) and, in the continuous schedule, each gate update t = 0..T_p.
   */
  onKept?(step: number, steps: number, graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>): void;
}

/** One way to go from a trained model to a pruned one: one-shot, iterative or continuous. */
export interface PruningSchedule {
  readonly id: 'one-shot' | 'iterative' | 'continuous';
  readonly label: string;
  /**
   * Returns a new, physically smaller model (not yet fine-tuned). The input is not disposed; schedules
   * that train change it in place (continuous leaves it as the masked network).
   */
  run(model: tfl.LayersModel, context: ScheduleContext): Promise<tfl.LayersModel>;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/**
 * The session's ranking at a given cut. `steps` > 1: a hand-set share is taken in equal parts at each of
 * that many steps, 1 - (1 - r)^(1/steps), so the shares compound to r.
 */
export function planCut(context: ScheduleContext, graph: ChannelGraph, scores: ReadonlyMap<number, Float32Array>, reduction: number, steps = 1): PruningPlan {
  const ratios = context.fixedRatios?.(graph);
  const fixedRatios = ratios && new Map([...ratios].map(([group, r]) => [group, 1 - (1 - r) ** (1 / steps)]));
  const plan = context.ranking === 'uniform' ? planUniform : planPruning;
  return plan(graph, scores, { ...context.target, reduction, fixedRatios });
}

/** Scores every prunable group of `model` with the context's criterion. */
export function scoreModel(model: tfl.LayersModel, graph: ChannelGraph, context: ScheduleContext): Promise<Map<number, Float32Array>> {
  return context.criterion.scoreGroups({ model, graph, calibration: context.calibration, seed: context.seed, warn: context.warn });
}
