import type { ChannelGraph } from '../graph/channel-graph.js';
import type { HistoryStep } from './project.js';
import { ReplayError } from './project-errors.js';

/**
 * One step of a session's history from a schedule's plan: the removed channels of every group that
 * loses any, and the scores of every scored group. Groups are named by their producers, so the record
 * does not depend on how a later Pruneflow numbers groups.
 */
export function historyStep(step: number, graph: ChannelGraph, keep: ReadonlyMap<number, Int32Array>, scores: ReadonlyMap<number, Float32Array>): HistoryStep {
  const groups = [...keep].map(([id, kept]) => {
    const group = graph.groups[id];
    const keptSet = new Set(kept);
    const removed = Array.from({ length: group.channels }, (_, c) => c).filter((c) => !keptSet.has(c));
    return { group: id, producers: [...group.producers], channels: group.channels, removed };
  });
  const scored = [...scores].map(([id, values]) => ({ group: id, producers: [...graph.groups[id].producers], values: Array.from(values) }));
  return { step, groups, scores: scored };
}

/** The kept channels of a recorded step on `graph`, the graph of the model the step applies to. */
export function keepOfStep(graph: ChannelGraph, step: HistoryStep): Map<number, Int32Array> {
  const keep = new Map<number, Int32Array>();
  for (const removal of step.groups) {
    const group = graph.groups.find((g) => g.producers.length === removal.producers.length && removal.producers.every((p) => g.producers.includes(p)));
    const where = `step ${step.step}, group of ${removal.producers.join(' + ') || '(no producers)'}`;
    if (!group) throw new ReplayError(`${where}: the model has no channel group written by these layers`);
    if (group.channels !== removal.channels)
      throw new ReplayError(`${where}: the history expects ${removal.channels} channels, the model has ${group.channels}`);
    const removed = new Set(removal.removed);
    if (removal.removed.some((c) => !Number.isInteger(c) || c < 0 || c >= group.channels))
      throw new ReplayError(`${where}: removed channel indices must lie in 0..${group.channels - 1}`);
    if (removed.size >= group.channels) throw new ReplayError(`${where}: would remove all ${group.channels} channels`);
    keep.set(
      group.id,
      Int32Array.from({ length: group.channels }, (_, c) => c).filter((c) => !removed.has(c)),
    );
  }
  return keep;
}
