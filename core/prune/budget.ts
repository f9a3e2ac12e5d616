import { type ChannelGraph, maskedCost } from '../graph/channel-graph.js';
import { type GroupNormalisation, normaliseGroup } from '../importance/group-normalisation.js';

export interface PruningTarget {
  /** What to reduce. */
  metric: 'flops' | 'params';
  /** Fraction to remove, 0..1. */
  reduction: number;
  /** Share of each group's channels that is never removed (default 10%, at least one channel; 0: only that one). */
  protect?: number;
  /** How each group's scores are made comparable before the global threshold (default: divided by their mean). */
  normalisation?: GroupNormalisation;
  /** Kept channels per group round up to a multiple of this (SIMD-friendly widths); default 1. */
  roundTo?: number;
  /** Share to remove from chosen groups, set by hand: these groups are not searched. */
  fixedRatios?: ReadonlyMap<number, number>;
}

export interface PruningPlan {
  /** Kept channel indices, ascending, for every prunable group that loses channels. */
  keep: Map<number, Int32Array>;
  achieved: { flops: number; params: number };
  baseline: { flops: number; params: number };
}

/** The metric as a person reads it: "FLOPs", "parameters". */
export const metricWord = (metric: PruningTarget['metric']) => (metric === 'flops' ? 'FLOPs' : 'parameters');

export class BudgetError extends Error {
  override name = 'BudgetError';
}

/**
 * Global ranking: each group's scores are normalised (by default divided by their mean) so groups compare, then one threshold is
 * found by bisection over the sorted scores so the masked cost is at most (1 - reduction) of the baseline;
 * finally the best removed channels are given back while the cost stays within the goal, so the target is
 * met closely. Groups with a hand-set ratio keep it; kept counts round up to `roundTo`.
 */
export function planPruning(graph: ChannelGraph, scores: ReadonlyMap<number, Float32Array>, target: PruningTarget): PruningPlan {
  if (!(target.reduction > 0 && target.reduction < 1)) {
    throw new BudgetError(`The reduction must be between 0 and 1 (exclusive), got ${target.reduction}`);
  }
  const baseline = maskedCost(graph, new Map());
  const goal = (1 - target.reduction) * baseline[target.metric];
  const rankings = rankGroups(graph, scores, target);
  const searched = rankings.filter((r) => r.fixed === undefined);
  const thresholds = Float32Array.from(searched.flatMap((r) => [...r.normalised])).sort();
  const countsAt = (threshold: number) => new Map(rankings.map((r) => [r.group, r.fixed ?? r.keptAbove(threshold)]));
  const costAt = (threshold: number) => maskedCost(graph, countsAt(threshold))[target.metric];
  if (costAt(Infinity) > goal) {
    throw new BudgetError(
      `A ${(target.reduction * 100).toFixed(1)}% ${metricWord(target.metric)} reduction cannot be reached while keeping ` +
        `${((target.protect ?? 0.1) * 100).toFixed(0)}% of each group, the hand-set ratios and the unprunable layers`,
    );
  }
  // Smallest threshold whose cost meets the goal: cost falls as the threshold rises.
  let low = 0;
  let high = thresholds.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (costAt(thresholds[mid]) <= goal) high = mid;
    else low = mid + 1;
  }
  const counts = refill(graph, countsAt(thresholds.length ? thresholds[low] : Infinity), searched, target.metric, goal);
  return planFromCounts(graph, rankings, counts, baseline);
}

interface GroupRanking {
  group: number;
  channels: number;
  /** Equal runs that keep the same count each (a grouped convolution's groups). */
  blocks: number;
  /** Channel indices, best first. */
  ranked: number[];
  /** Scores normalised within the group (`target.normalisation`), in channel order. */
  normalised: Float32Array;
  /** Kept count set by hand, if any. */
  fixed?: number;
  /** Kept count for a global threshold: channels above it, at least the protected minimum, rounded up. */
  keptAbove(threshold: number): number;
  round(count: number): number;
}

function rankGroups(graph: ChannelGraph, scores: ReadonlyMap<number, Float32Array>, target: PruningTarget): GroupRanking[] {
  const roundTo = Math.max(1, Math.floor(target.roundTo ?? 1));
  const protect = target.protect ?? 0.1;
  const rankings: GroupRanking[] = [];
  for (const [group, values] of scores) {
    if (!graph.groups[group].prunable) continue;
    const channels = values.length;
    const blocks = graph.groups[group].blocks ?? 1;
    const step = lcm(roundTo, blocks);
    const normalised = normaliseGroup(values, target.normalisation ?? 'mean');
    const ranked = Array.from(values.keys()).sort((a, b) => values[b] - values[a] || a - b);
    const round = (count: number) => Math.min(channels, Math.ceil(count / step) * step);
    const minimum = round(Math.max(1, Math.ceil(protect * channels)));
    const ratio = target.fixedRatios?.get(group);
    rankings.push({
      group,
      channels,
      blocks,
      ranked,
      normalised,
      fixed: ratio === undefined ? undefined : keptAtRatio(channels, ratio, target, blocks),
      keptAbove: (threshold) => Math.max(minimum, round(normalised.reduce((n, v) => n + (v > threshold ? 1 : 0), 0))),
      round,
    });
  }
  return rankings;
}

/** Channels a group keeps when a share `ratio` is set by hand: at least the protected minimum, rounded up to `roundTo` (and to a multiple of `blocks`). */
export function keptAtRatio(channels: number, ratio: number, target: Pick<PruningTarget, 'protect' | 'roundTo'>, blocks = 1): number {
  const step = lcm(Math.max(1, Math.floor(target.roundTo ?? 1)), blocks);
  const round = (count: number) => Math.min(channels, Math.ceil(count / step) * step);
  const minimum = round(Math.max(1, Math.ceil((target.protect ?? 0.1) * channels)));
  return Math.max(minimum, round(Math.round((1 - ratio) * channels)));
}

/**
 * One threshold step can remove a whole block of costly channels at once and overshoot the goal.
 * Give back the best removed channels (a rounding step at a time), while the cost stays within the goal.
 */
function refill(
  graph: ChannelGraph,
  counts: Map<number, number>,
  searched: GroupRanking[],
  metric: PruningTarget['metric'],
  goal: number,
): Map<number, number> {
  for (;;) {
    let best: { ranking: GroupRanking; next: number; score: number } | undefined;
    for (const ranking of searched) {
      const kept = counts.get(ranking.group)!;
      if (kept >= ranking.channels) continue;
      const next = ranking.round(kept + 1);
      const score = ranking.normalised[ranking.ranked[kept]];
      if (best && score <= best.score) continue;
      if (maskedCost(graph, new Map(counts).set(ranking.group, next))[metric] <= goal) best = { ranking, next, score };
    }
    if (!best) return counts;
    counts.set(best.ranking.group, best.next);
  }
}

/** The best `count` channels of every group that loses any, ascending. */
function planFromCounts(graph: ChannelGraph, rankings: GroupRanking[], counts: Map<number, number>, baseline: PruningPlan['baseline']): PruningPlan {
  const keep = new Map<number, Int32Array>();
  for (const ranking of rankings) {
    const count = counts.get(ranking.group)!;
    if (count < ranking.channels) keep.set(ranking.group, bestChannels(ranking.ranked, count, ranking.blocks));
  }
  return { keep, achieved: maskedCost(graph, new Map([...keep].map(([g, k]) => [g, k.length]))), baseline };
}

/**
 * Uniform pruning: every prunable group loses the same share of its channels (its lowest-scored ones),
 * with the share found by bisection so the FLOPs (or weights) cut reaches the target. Protection and
 * rounding apply per group as for hand-set ratios; with rounding the widths move in steps, so the cut
 * reached is the first step at or past the target (it can overshoot by more than 1%).
 */
export function planUniform(graph: ChannelGraph, scores: ReadonlyMap<number, Float32Array>, target: PruningTarget): PruningPlan {
  const baseline = maskedCost(graph, new Map());
  const goal = (1 - target.reduction) * baseline[target.metric];
  const keepAt = (share: number) => {
    const keep = new Map<number, Int32Array>();
    for (const [group, values] of scores) {
      if (!graph.groups[group].prunable) continue;
      const blocks = graph.groups[group].blocks ?? 1;
      const count = keptAtRatio(values.length, share, target, blocks);
      const ranked = Array.from(values.keys()).sort((a, b) => values[b] - values[a] || a - b);
      if (count < values.length) keep.set(group, bestChannels(ranked, count, blocks));
    }
    return keep;
  };
  const counts = (keep: Map<number, Int32Array>) => new Map([...keep].map(([g, k]) => [g, k.length]));
  const costAt = (share: number) => maskedCost(graph, counts(keepAt(share)))[target.metric];
  let low = 0;
  let high = 1 - 1e-6;
  if (costAt(high) > goal) throw new BudgetError(`A uniform ${(target.reduction * 100).toFixed(1)}% ${metricWord(target.metric)} cut is out of reach`);
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (costAt(mid) <= goal) high = mid;
    else low = mid;
  }
  const keep = keepAt(high);
  return { keep, achieved: maskedCost(graph, counts(keep)), baseline };
}

/**
 * The best `count` channels (from `ranked`, best first), ascending. With `blocks` > 1 the channels form that
 * many equal runs and each run keeps count / blocks of its own best, so every convolution group stays equal.
 */
export function bestChannels(ranked: readonly number[], count: number, blocks = 1): Int32Array {
  if (blocks <= 1) return Int32Array.from(ranked.slice(0, count)).sort();
  const width = ranked.length / blocks;
  const perBlock = count / blocks;
  const taken = new Array<number>(blocks).fill(0);
  const kept: number[] = [];
  for (const channel of ranked) {
    const block = Math.floor(channel / width);
    if (taken[block] < perBlock) {
      taken[block]++;
      kept.push(channel);
    }
  }
  return Int32Array.from(kept).sort();
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}
