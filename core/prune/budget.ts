import { type ChannelGraph, maskedCost } from '../graph/channel-graph.js';

export interface PruningTarget {
  /** What to reduce. */
  metric: 'flops' | 'params';
  /** Fraction to remove, 0..1. */
  reduction: number;
  /** Share of each group's channels that is never removed (default 10%, at least one channel). */
  protect?: number;
}

export interface PruningPlan {
  /** Kept channel indices, ascending, for every prunable group that loses channels. */
  keep: Map<number, Int32Array>;
  achieved: { flops: number; params: number };
  baseline: { flops: number; params: number };
}

export class BudgetError extends Error {
  override name = 'BudgetError';
}

/**
 * Global ranking: scores are divided by their group's mean so groups compare, then one threshold is
 * found by bisection over the sorted scores so the masked cost is at most (1 - reduction) of the baseline.
 */
export function planPruning(graph: ChannelGraph, scores: ReadonlyMap<number, Float32Array>, target: PruningTarget): PruningPlan {
  if (!(target.reduction > 0 && target.reduction < 1)) {
    throw new BudgetError(`The reduction must be between 0 and 1 (exclusive), got ${target.reduction}`);
  }
  const baseline = maskedCost(graph, new Map());
  const goal = (1 - target.reduction) * baseline[target.metric];
  const protect = target.protect ?? 0.1;
  const normalised = new Map<number, Float32Array>();
  for (const [group, values] of scores) {
    if (!graph.groups[group].prunable) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length || 1;
    normalised.set(group, values.map((v) => v / mean));
  }
  const thresholds = Float32Array.from([...normalised.values()].flatMap((v) => [...v])).sort();
  const keptAt = (threshold: number) => keepAbove(normalised, threshold, protect);
  const costAt = (index: number) => maskedCost(graph, counts(keptAt(thresholds[index])))[target.metric];
  // Smallest threshold index whose cost meets the goal: cost falls as the threshold rises.
  let low = 0;
  let high = thresholds.length - 1;
  if (costAt(high) > goal) {
    throw new BudgetError(
      `A ${(target.reduction * 100).toFixed(1)}% ${target.metric} reduction cannot be reached while keeping ` +
        `${(protect * 100).toFixed(0)}% of each group and the unprunable layers`,
    );
  }
  while (low < high) {
    const mid = (low + high) >> 1;
    if (costAt(mid) <= goal) high = mid;
    else low = mid + 1;
  }
  const keep = refill(graph, keptAt(thresholds[low]), normalised, target.metric, goal);
  return { keep, achieved: maskedCost(graph, counts(keep)), baseline };
}

/** Channels strictly above the threshold survive; each group keeps its `protect` share of best channels. */
function keepAbove(scores: ReadonlyMap<number, Float32Array>, threshold: number, protect: number): Map<number, Int32Array> {
  const keep = new Map<number, Int32Array>();
  for (const [group, values] of scores) {
    const minimum = Math.max(1, Math.ceil(protect * values.length));
    const ranked = Array.from(values.keys()).sort((a, b) => values[b] - values[a] || a - b);
    const survivors = ranked.filter((c, rank) => rank < minimum || values[c] > threshold);
    if (survivors.length < values.length) keep.set(group, Int32Array.from(survivors).sort());
  }
  return keep;
}

/**
 * One threshold step can remove a whole block of costly channels at once and overshoot the goal.
 * Give back the best removed channels, one at a time, while the cost stays within the goal.
 */
function refill(
  graph: ChannelGraph,
  keep: Map<number, Int32Array>,
  scores: ReadonlyMap<number, Float32Array>,
  metric: PruningTarget['metric'],
  goal: number,
): Map<number, Int32Array> {
  const removed = [...keep].flatMap(([group, kept]) => {
    const survivors = new Set(kept);
    const values = scores.get(group)!;
    return Array.from(values.keys()).filter((c) => !survivors.has(c)).map((c) => ({ group, channel: c, score: values[c] }));
  });
  removed.sort((a, b) => b.score - a.score);
  const widths = counts(keep);
  for (const { group, channel } of removed) {
    widths.set(group, widths.get(group)! + 1);
    if (maskedCost(graph, widths)[metric] > goal) {
      widths.set(group, widths.get(group)! - 1);
      continue;
    }
    keep.set(group, Int32Array.from([...keep.get(group)!, channel]).sort());
  }
  for (const [group, kept] of keep) if (kept.length === graph.groups[group].channels) keep.delete(group);
  return keep;
}

function counts(keep: ReadonlyMap<number, Int32Array>): Map<number, number> {
  return new Map([...keep].map(([g, kept]) => [g, kept.length]));
}

/**
 * Uniform pruning: every prunable group loses the same share of its channels (its lowest-scored ones),
 * with the share found by bisection so the FLOPs (or weights) cut reaches the target.
 */
export function planUniform(graph: ChannelGraph, scores: ReadonlyMap<number, Float32Array>, target: PruningTarget): PruningPlan {
  const baseline = maskedCost(graph, new Map());
  const goal = (1 - target.reduction) * baseline[target.metric];
  const keepAt = (share: number) => {
    const keep = new Map<number, Int32Array>();
    for (const [group, values] of scores) {
      if (!graph.groups[group].prunable) continue;
      const count = Math.max(1, Math.round((1 - share) * values.length));
      const ranked = Array.from(values.keys()).sort((a, b) => values[b] - values[a] || a - b);
      if (count < values.length) keep.set(group, Int32Array.from(ranked.slice(0, count)).sort());
    }
    return keep;
  };
  const costAt = (share: number) => maskedCost(graph, counts(keepAt(share)))[target.metric];
  let low = 0;
  let high = 1 - 1e-6;
  if (costAt(high) > goal) throw new BudgetError(`A uniform ${(target.reduction * 100).toFixed(1)}% ${target.metric} cut is out of reach`);
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (costAt(mid) <= goal) high = mid;
    else low = mid;
  }
  const keep = keepAt(high);
  return { keep, achieved: maskedCost(graph, counts(keep)), baseline };
}
