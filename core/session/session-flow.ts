import type * as tfl from '@tensorflow/tfjs-layers';
import type { PruneConfig } from '../api/contract.js';
import type { FlowData, FlowSession, FlowStep } from '../api/importance-flow.js';
import { buildChannelGraph, type ChannelGraph, maskedCost } from '../graph/channel-graph.js';
import { createCip } from '../importance/cip.js';
import { aggregateFlow, round } from '../importance/flow/flow-bands.js';
import { byGroupMean, channelEdges, relativeScores, writerColumns } from '../importance/flow/flow-channels.js';
import { getCriterion } from '../importance/registry.js';
import { MODEL_ZOO } from '../models/zoo.js';
import type { HistoryStep } from '../project/project.js';
import { cutReasons } from './flow-reasons.js';

export class SessionFlowError extends Error {
  override name = 'SessionFlowError';
}

type FlowConfig = Pick<PruneConfig, 'model' | 'criterion' | 'target'> & Partial<Pick<PruneConfig, 'ranking' | 'protect' | 'layerRatios' | 'schedule' | 'seed'>>;

/** What a finished session recorded, with the baseline it pruned (the caller owns and disposes it). */
export interface SessionFlowSource {
  baseline: tfl.LayersModel;
  history: readonly HistoryStep[];
  config: FlowConfig;
  /** The baseline is a built-in model's random initialisation (it was never trained). */
  untrained: boolean;
  session: Omit<FlowSession, 'storedScores' | 'schedule' | 'ranking' | 'protect'>;
}

export const UNTRAINED_WARNING =
  'Scores from untrained weights: this built-in model was not trained before pruning, so its channels were ranked on their random initial weights, ' +
  'not on anything the model learnt.';

/**
 * The importance flow of a session from what it recorded: its kept channels after every step of its
 * schedule and the scores each step was made from, on the baseline it pruned. Only the links (how importance
 * propagates between layers) are computed now: CIP on the baseline's weights alone, so no data set is needed.
 */
export async function sessionFlowData(source: SessionFlowSource): Promise<FlowData> {
  const { baseline, history, config } = source;
  if (history.length === 0) throw new SessionFlowError(`Session '${source.session.name}' removed no channels: it has no pruning steps to show.`);
  const warnings: string[] = [];
  const warn = (m: string) => void (warnings.includes(m) || warnings.push(m));
  const graph = buildChannelGraph(baseline);
  const followed = followHistory(graph, history);
  const storedScores = history.some((step) => step.scores.length > 0);
  if (source.untrained) warnings.push(UNTRAINED_WARNING);
  if (!storedScores)
    warnings.push(
      'This session was saved by a Pruneflow that kept no importance scores: the kept channels are the session’s, the scores shown are CIP’s on the ' +
        'baseline’s weights, computed now.',
    );
  const links = createCip({ unitStatistic: true });
  const analysis = await links.analyse({ model: baseline, graph, calibration: [], seed: config.seed ?? 1, warn });
  warnings.push('Links show CIP’s propagated importance on the baseline’s weights alone (no data), computed when the flow opened.');
  const columns = writerColumns(baseline, graph);
  const firstScores = followed[0].scores;
  const last = followed[followed.length - 1];
  const nodeScores = relativeScores(graph, columns, firstScores, analysis);
  const aggregated = aggregateFlow({
    columns,
    edges: channelEdges(baseline, graph, columns, analysis, links.settings),
    scores: nodeScores,
    removed: new Map([...last.kept].map(([group, kept]) => [group, removedChannels(graph.groups[group].channels, kept)])),
    prunable: new Set(graph.groups.filter((g) => g.prunable).map((g) => g.id)),
  });
  const reasons = cutReasons(graph, last.kept, storedScores ? firstScores : undefined, config, history.length);
  const groups = aggregated.groups.map((g) => ({ ...g, reason: reasons.get(g.id) }));
  const steps = snapshots(graph, followed, config.target.metric, history.length, nodeScores);
  let criterionLabel = config.criterion;
  try {
    criterionLabel = getCriterion(config.criterion).label;
  } catch {
    // A criterion this Pruneflow does not know (a newer one's project): its id says it.
  }
  const schedule = config.schedule === 'iterative' || history.length > 1 ? `iterative, ${history.length} steps` : (config.schedule ?? 'one-shot');
  return {
    model: config.model,
    modelLabel: MODEL_ZOO.find((e) => e.id === config.model)?.label ?? config.model.split(/[\\/]/).pop()!,
    criterion: config.criterion,
    criterionLabel,
    target: config.target,
    ...aggregated,
    groups,
    steps,
    warnings: [...warnings, ...analysis.warnings.filter((w) => !warnings.includes(w))],
    session: { ...source.session, schedule, ranking: config.ranking ?? 'global', protect: config.protect ?? 0.1, storedScores },
    ...(source.untrained && { untrained: true }),
  };
}

/** The model before each step and after the last: kept channels (original indices, ascending) and their raw scores, by baseline group. */
interface Followed {
  kept: Map<number, Int32Array>;
  /** Scores of the kept channels, in the same order; absent where the step recorded none. */
  scores: Map<number, Float32Array>;
}

/** Walks the recorded removals on the baseline's groups (found by their writers, as replay does), mapping every index back to the baseline. */
export function followHistory(graph: ChannelGraph, history: readonly HistoryStep[]): Followed[] {
  const key = (producers: readonly string[]) => [...producers].sort().join('\n');
  const byKey = new Map(graph.groups.map((g) => [key(g.producers), g]));
  const find = (producers: readonly string[], where: string) => {
    const group = byKey.get(key(producers));
    if (!group) throw new SessionFlowError(`${where}: the baseline has no channel group written by ${producers.join(' + ') || '(no layers)'}`);
    return group;
  };
  let kept = new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, Int32Array.from({ length: g.channels }, (_, c) => c)]));
  const followed: Followed[] = [];
  history.forEach((step, i) => {
    const where = `step ${step.step}`;
    const scores = new Map<number, Float32Array>();
    for (const recorded of step.scores) {
      const group = find(recorded.producers, where);
      const current = kept.get(group.id);
      if (current && recorded.values.length === current.length)
        scores.set(
          group.id,
          Float32Array.from(recorded.values, (v) => v ?? 0),
        );
    }
    // The last model has no scores of its own: its channels keep the ones they were chosen by.
    followed.push({ kept, scores: scores.size > 0 || i === 0 ? scores : restrict(followed[i - 1], kept) });
    const next = new Map(kept);
    for (const removal of step.groups) {
      const group = find(removal.producers, where);
      const current = next.get(group.id) ?? Int32Array.from({ length: group.channels }, (_, c) => c);
      if (current.length !== removal.channels)
        throw new SessionFlowError(
          `${where}, group of ${removal.producers.join(' + ')}: the record says ${removal.channels} channels, the steps before leave ${current.length}`,
        );
      const removed = new Set(removal.removed);
      next.set(
        group.id,
        current.filter((_, c) => !removed.has(c)),
      );
    }
    kept = next;
  });
  followed.push({ kept, scores: restrict(followed[followed.length - 1], kept) });
  return followed;
}

/** The scores of `before` for the channels still in `kept`. */
function restrict(before: Followed, kept: ReadonlyMap<number, Int32Array>): Map<number, Float32Array> {
  const scores = new Map<number, Float32Array>();
  for (const [group, values] of before.scores) {
    const was = before.kept.get(group)!;
    const position = new Map(Array.from(was, (c, i) => [c, i]));
    const now = kept.get(group) ?? was;
    scores.set(
      group,
      Float32Array.from(now, (c) => values[position.get(c) ?? 0]),
    );
  }
  return scores;
}

/** Each step's model; a group without recorded scores shows `fallback`'s (relative, by original channel). */
function snapshots(
  graph: ChannelGraph,
  followed: Followed[],
  metric: 'flops' | 'params',
  steps: number,
  fallback: ReadonlyMap<number, Float32Array>,
): FlowStep[] {
  const baseline = maskedCost(graph, new Map());
  return followed.map(({ kept, scores }, step) => {
    const groups = [...kept].map(([group, channels]) => {
      const values = scores.get(group);
      const other = fallback.get(group);
      const relative = values ? byGroupMean(values) : Float32Array.from(channels, (c) => other?.[c] ?? 1);
      return { group, kept: Array.from(channels), scores: Array.from(relative, round) };
    });
    const cost = maskedCost(graph, new Map(groups.map((g) => [g.group, g.kept.length])));
    const label = step === 0 ? 'unpruned' : steps === 1 ? 'pruned' : `step ${step} of ${steps}`;
    return { step, label, reduction: 1 - cost[metric] / baseline[metric], ...cost, groups };
  });
}

function removedChannels(channels: number, kept: ArrayLike<number>): Set<number> {
  const keep = new Set(Array.from(kept));
  return new Set(Array.from({ length: channels }, (_, c) => c).filter((c) => !keep.has(c)));
}
