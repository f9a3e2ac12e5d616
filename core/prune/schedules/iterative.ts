import type * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph, maskedCost } from '../../graph/channel-graph.js';
import { metricWord } from '../budget.js';
import { pruneModel } from '../surgery.js';
import { planCut, type PruningSchedule, ScheduleError, scoreModel } from './schedule.js';

export interface IterativeOptions {
  /** Prune-and-fine-tune steps, k. */
  steps: number;
  /** Fine-tuning epochs spread over the k - 1 gaps between steps (the last step's fine-tuning is the session's). */
  epochs: number;
}

/**
 * k steps of prune, fine-tune, re-score. After step i the cut, counted against the original model, is
 * R * i / k: each step's share of the current model is chosen for that, so rounding never accumulates
 * and step k meets the target. Protection (10% of each group) applies to the model of each step.
 */
export function createIterative({ steps, epochs }: IterativeOptions): PruningSchedule {
  if (!(Number.isInteger(steps) && steps >= 1)) throw new ScheduleError(`An iterative schedule needs a whole number of steps, 1 or more, got ${steps}`);
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new ScheduleError(`Epochs between steps must be a whole number, 0 or more, got ${epochs}`);
  return {
    id: 'iterative',
    label: `iterative, ${steps} steps`,
    async run(model, context) {
      const { metric, reduction } = context.target;
      const original = maskedCost(buildChannelGraph(model), new Map())[metric];
      let current: tfl.LayersModel = model;
      try {
        for (let step = 1; step <= steps; step++) {
          const graph = buildChannelGraph(current);
          const cut = 1 - ((1 - (reduction * step) / steps) * original) / maskedCost(graph, new Map())[metric];
          if (cut > 0) {
            const scores = await scoreModel(current, graph, context);
            const plan = planCut(context, graph, scores, cut, steps);
            context.onPlan?.(step, graph, plan, scores);
            const next = await pruneModel(current, graph, plan.keep);
            if (current !== model) current.dispose();
            current = next;
            context.onKept?.(step, steps, graph, plan.keep);
          } else {
            context.onKept?.(step, steps, graph, new Map());
          }
          const cutSoFar = 1 - maskedCost(buildChannelGraph(current), new Map())[metric] / original;
          context.note?.(`step ${step}/${steps}: ${(cutSoFar * 100).toFixed(1)}% of the ${metricWord(metric)} removed`);
          const gapEpochs = step < steps ? epochsOfGap(epochs, steps - 1, step) : 0;
          if (gapEpochs > 0) await context.train(current, { epochs: gapEpochs, stage: `pruning, step ${step}/${steps}` });
          else if (step < steps && cut > 0) await context.recalibrate?.(current);
        }
        return current;
      } catch (error) {
        if (current !== model) current.dispose();
        throw error;
      }
    },
  };
}

/** Epochs of gap `gap` (1-based) when `total` are spread evenly over `gaps`. */
function epochsOfGap(total: number, gaps: number, gap: number): number {
  return Math.floor((total * gap) / gaps) - Math.floor((total * (gap - 1)) / gaps);
}
