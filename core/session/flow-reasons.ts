import type { PruneConfig } from '../api/contract.js';
import type { ChannelGraph } from '../graph/channel-graph.js';

type ReasonSettings = Partial<Pick<PruneConfig, 'ranking' | 'protect' | 'layerRatios' | 'schedule'>>;

const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Why each channel group of the baseline lost the channels it lost (or none), in words: the ranking that
 * chose the share, the protected minimum, the coupling of a residual stream, and how the removed channels
 * scored against the kept ones. `kept` and `scores` are by group id: the original indices kept at the end,
 * and the scores of every channel before the first cut (absent for a session that recorded none).
 */
export function cutReasons(
  graph: ChannelGraph,
  kept: ReadonlyMap<number, ArrayLike<number>>,
  scores: ReadonlyMap<number, Float32Array> | undefined,
  settings: ReasonSettings,
  steps: number,
): Map<number, string> {
  const reasons = new Map<number, string>();
  const protect = settings.protect ?? 0.1;
  for (const group of graph.groups) {
    if (!group.prunable) {
      reasons.set(group.id, 'Not pruned: Pruneflow keeps this layer whole (the model’s output, or channels it cannot remove).');
      continue;
    }
    const keptHere = kept.get(group.id)?.length ?? group.channels;
    const removed = group.channels - keptHere;
    const parts: string[] = [];
    const handSet = group.producers.map((p) => settings.layerRatios?.[p]).find((r) => r !== undefined);
    if (removed === 0) parts.push('Nothing removed: every channel ranked above the cut.');
    else if (handSet !== undefined) parts.push(`Hand-set share: ${percent(handSet)} of its channels to go; the ${removed} lowest-scoring went.`);
    else if (settings.ranking === 'uniform') parts.push(`Uniform ranking: every layer loses the same share; here its ${removed} lowest-scoring channels.`);
    else if (settings.ranking === 'sensitivity')
      parts.push(`Sensitivity ranking: its share came from the accuracy it cost when pruned alone; its ${removed} lowest-scoring channels went.`);
    else
      parts.push(
        `Global ranking: its channels competed with every layer’s (scores relative to each layer’s mean); ${removed} fell below the model-wide cut-off.`,
      );
    if (removed > 0 && keptHere <= Math.max(1, Math.ceil(protect * group.channels)))
      parts.push(`It kept only its protected minimum (${percent(protect)} of the layer).`);
    if (group.producers.length > 1)
      parts.push(
        `Its ${group.channels} channels are shared by ${group.producers.length} layers on a residual stream: they were ranked by their joint score ` +
          `and removed together.`,
      );
    const spread = removed > 0 ? scoreSpread(scores?.get(group.id), kept.get(group.id)) : undefined;
    if (spread) parts.push(spread);
    if (removed > 0 && steps > 1) parts.push(`Removed over ${steps} steps, re-scored after each.`);
    reasons.set(group.id, parts.join(' '));
  }
  return reasons;
}

/** How the removed channels scored against the kept ones, relative to the layer's mean, before the first cut. */
function scoreSpread(scores: Float32Array | undefined, kept: ArrayLike<number> | undefined): string | undefined {
  if (!scores || !kept || scores.length === 0) return undefined;
  let mean = 0;
  for (const s of scores) mean += s / scores.length;
  if (!(mean > 0)) return undefined;
  const keptSet = new Set(Array.from(kept));
  let maxRemoved = -Infinity;
  let minKept = Infinity;
  scores.forEach((s, c) => {
    if (keptSet.has(c)) minKept = Math.min(minKept, s / mean);
    else maxRemoved = Math.max(maxRemoved, s / mean);
  });
  if (!Number.isFinite(maxRemoved) || !Number.isFinite(minKept)) return undefined;
  return maxRemoved <= minKept
    ? `The removed channels scored lowest: at most ${maxRemoved.toFixed(2)}× the layer mean, the kept ones at least ${minKept.toFixed(2)}×.`
    : `Removed channels scored up to ${maxRemoved.toFixed(2)}× the layer mean and kept ones down to ${minKept.toFixed(2)}× before the first cut ` +
        `(later steps re-scored them).`;
}
