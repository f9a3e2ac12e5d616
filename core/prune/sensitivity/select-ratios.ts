import { type ChannelGraph, maskedCost } from '../../graph/channel-graph.js';
import { BudgetError, keptAtRatio, metricWord, type PruningTarget } from '../budget.js';
import type { SensitivityRow, SensitivityTable } from './sensitivity-table.js';

export interface RatioSelection {
  /** Share to remove per group, for `planPruning`'s `fixedRatios` (hand-set ratios included as given). */
  ratios: Map<number, number>;
  /** The accuracy-drop threshold every searched group stays under. */
  threshold: number;
  achieved: { flops: number; params: number };
  baseline: { flops: number; params: number };
}

/**
 * A tiny slope added to every drop curve: where a curve is flat (no measured loss), raising the threshold
 * releases channels in proportion to the share instead of a whole measured step at once.
 */
const TIE_SLOPE = 1e-6;
const SEARCH_STEPS = 60;

/**
 * Greedy ratio selection in the spirit of AIMET's: one accuracy-drop threshold for the whole model; each
 * group takes the largest share whose (interpolated, monotone) measured drop stays under it. The threshold
 * is the smallest that meets the FLOPs (or weights) goal; rounding leftovers are then given back, most
 * sensitive group first, while the goal still holds. Kept counts follow `planPruning`'s rules (protection,
 * rounding), so the ratios plan to exactly the cost counted here. Shares beyond the largest measured one
 * are never chosen: there is nothing to say how much they would cost in accuracy.
 */
export function selectRatios(graph: ChannelGraph, table: SensitivityTable, target: PruningTarget): RatioSelection {
  if (!(target.reduction > 0 && target.reduction < 1)) {
    throw new BudgetError(`The reduction must be between 0 and 1 (exclusive), got ${target.reduction}`);
  }
  const baseline = maskedCost(graph, new Map());
  const goal = (1 - target.reduction) * baseline[target.metric];
  const fixed = new Map(
    [...(target.fixedRatios ?? [])].map(([group, ratio]) => [group, keptAtRatio(graph.groups[group].channels, ratio, target, graph.groups[group].blocks)]),
  );
  const curves = table.rows.filter((row) => graph.groups[row.group]?.prunable && !fixed.has(row.group)).map(dropCurve);
  const countsAt = (threshold: number) => {
    const counts = new Map(fixed);
    for (const curve of curves) counts.set(curve.group, keptAtRatio(curve.channels, curve.shareAt(threshold), target, graph.groups[curve.group].blocks));
    return counts;
  };
  const costAt = (counts: Map<number, number>) => maskedCost(graph, counts)[target.metric];
  const highest = Math.max(0, ...curves.map((c) => c.dropAt(c.maxShare)));
  if (costAt(countsAt(highest)) > goal) {
    throw new BudgetError(
      `A ${(target.reduction * 100).toFixed(1)}% ${metricWord(target.metric)} reduction cannot be reached with the measured shares ` +
        `(at most ${(Math.max(...table.ratios) * 100).toFixed(0)}% of a group), ${((target.protect ?? 0.1) * 100).toFixed(0)}% protection ` +
        'and the hand-set ratios; analyse larger ratios or ask for less',
    );
  }
  // Cost falls as the threshold rises: bisect for the smallest threshold that meets the goal.
  let low = 0;
  let high = highest;
  for (let i = 0; i < SEARCH_STEPS; i++) {
    const mid = (low + high) / 2;
    if (costAt(countsAt(mid)) <= goal) high = mid;
    else low = mid;
  }
  const counts = giveBack(countsAt(high), curves, target, (c) => costAt(c) <= goal);
  const ratios = new Map([...counts].map(([group, kept]) => [group, target.fixedRatios?.get(group) ?? 1 - kept / graph.groups[group].channels]));
  return { ratios, threshold: high, achieved: maskedCost(graph, counts), baseline };
}

interface DropCurve {
  group: number;
  channels: number;
  /** The largest share measured. */
  maxShare: number;
  dropAt(share: number): number;
  /** The largest share, up to `maxShare`, whose drop is at most `threshold`. */
  shareAt(threshold: number): number;
}

/**
 * A group's drop against the share actually removed: starts at (0, 0), linear between trials, made
 * non-decreasing (a larger cut is never credited with a smaller loss) and strictly rising by TIE_SLOPE.
 */
function dropCurve(row: SensitivityRow): DropCurve {
  const points = [{ share: 0, drop: 0 }];
  let worst = 0;
  for (const trial of row.trials) {
    const share = 1 - trial.kept / row.channels;
    worst = Math.max(worst, trial.drop);
    if (share > points.at(-1)!.share) points.push({ share, drop: worst });
    else points.at(-1)!.drop = worst;
  }
  const curve = points.map((p) => ({ share: p.share, drop: p.drop + TIE_SLOPE * p.share }));
  const maxShare = curve.at(-1)!.share;
  return {
    group: row.group,
    channels: row.channels,
    maxShare,
    dropAt(share) {
      const i = curve.findIndex((p) => p.share >= share);
      if (i <= 0) return i === 0 ? curve[0].drop : curve.at(-1)!.drop;
      const [a, b] = [curve[i - 1], curve[i]];
      return a.drop + ((share - a.share) / (b.share - a.share)) * (b.drop - a.drop);
    },
    shareAt(threshold) {
      for (let i = 1; i < curve.length; i++) {
        const [a, b] = [curve[i - 1], curve[i]];
        if (threshold < b.drop) return threshold <= a.drop ? a.share : a.share + ((threshold - a.drop) / (b.drop - a.drop)) * (b.share - a.share);
      }
      return maxShare;
    },
  };
}

/** Hands back one rounding step of channels at a time, to the most sensitive group first, while `fits` holds. */
function giveBack(
  counts: Map<number, number>,
  curves: DropCurve[],
  target: PruningTarget,
  fits: (counts: Map<number, number>) => boolean,
): Map<number, number> {
  const roundTo = Math.max(1, Math.floor(target.roundTo ?? 1));
  for (;;) {
    let best: { group: number; next: number; drop: number } | undefined;
    for (const curve of curves) {
      const kept = counts.get(curve.group)!;
      if (kept >= curve.channels) continue;
      const next = Math.min(curve.channels, (Math.floor(kept / roundTo) + 1) * roundTo);
      const drop = curve.dropAt(1 - kept / curve.channels);
      if (best && drop <= best.drop) continue;
      if (fits(new Map(counts).set(curve.group, next))) best = { group: curve.group, next, drop };
    }
    if (!best) return counts;
    counts.set(best.group, best.next);
  }
}

/** Channels a group keeps in the trial at `ratio`: its share removed, at least one left. */
export function trialKept(channels: number, ratio: number): number {
  return Math.max(1, Math.round((1 - ratio) * channels));
}

/**
 * Fails before any measuring when the target is out of reach even if no group lost accuracy at any of
 * the `ratios` (the most greedy selection can do).
 */
export function assertReachable(graph: ChannelGraph, ratios: readonly number[], target: PruningTarget): void {
  const rows = graph.groups
    .filter((g) => g.prunable)
    .map((g) => ({
      group: g.id,
      layers: g.producers,
      channels: g.channels,
      trials: ratios.map((ratio) => ({ ratio, kept: trialKept(g.channels, ratio), accuracy: 1, drop: 0 })),
    }));
  selectRatios(graph, { baseline: 1, images: 0, ratios: [...ratios], rows }, target);
}
