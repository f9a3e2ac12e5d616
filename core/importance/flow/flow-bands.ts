import type { FlowColumn, FlowData, FlowGroup, FlowLink, FlowNode } from '../../api/importance-flow.js';

/** A writer layer as the channel-level flow sees it. */
export interface ChannelColumn {
  layer: string;
  className: string;
  group: number;
  channels: number;
}

/** Channel-to-channel links from one column to a later one: pair i links channel from[i] to channel to[i]. */
export interface ChannelEdge {
  source: number;
  target: number;
  kind: FlowLink['kind'];
  from: Int32Array;
  to: Int32Array;
  weight: Float32Array;
}

/** The whole diagram at channel level, before aggregation. */
export interface ChannelFlow {
  columns: ChannelColumn[];
  edges: ChannelEdge[];
  /** Channel scores relative to their group's mean, by group (step 0). */
  scores: ReadonlyMap<number, Float32Array>;
  /** Channels the last step removed, by group. */
  removed: ReadonlyMap<number, ReadonlySet<number>>;
  prunable: ReadonlySet<number>;
}

export interface FlowDetail {
  /** A column with more channels than this shows bands. */
  maxChannelsPerColumn: number;
  /** A model with more columns than this shows bands in every column. */
  manyColumns: number;
  bandsPerColumn: number;
  /** Strongest links kept per node and direction (and per kind). */
  linksPerNode: number;
}

export const FLOW_DETAIL: Readonly<FlowDetail> = { maxChannelsPerColumn: 32, manyColumns: 40, bandsPerColumn: 8, linksPerNode: 3 };

export type AggregatedFlow = Pick<FlowData, 'columns' | 'groups' | 'nodes' | 'links' | 'detail'>;

/**
 * Turns the channel-level flow into what a person can read: channels ordered by importance (most important
 * on top), cut into quantile bands where a column is tall or the model deep, links summed between the
 * nodes they join and thinned to each node's strongest few.
 */
export function aggregateFlow(flow: ChannelFlow, detail: FlowDetail = FLOW_DETAIL): AggregatedFlow {
  const deep = flow.columns.length > detail.manyColumns;
  const nodes: FlowNode[] = [];
  const nodeOf: Int32Array[] = [];
  const columns: FlowColumn[] = flow.columns.map((column, index) => {
    const scores = flow.scores.get(column.group) ?? new Float32Array(column.channels).fill(1);
    const bandCount = deep || column.channels > detail.maxChannelsPerColumn ? Math.min(detail.bandsPerColumn, column.channels) : column.channels;
    const lookup = new Int32Array(column.channels);
    for (const members of quantileBands(scores, bandCount)) {
      const id = nodes.length;
      members.forEach((c) => (lookup[c] = id));
      nodes.push(nodeFor(id, index, members, scores, flow.removed.get(column.group)));
    }
    nodeOf.push(lookup);
    return { index, layer: column.layer, className: column.className, group: column.group, channels: column.channels, banded: bandCount < column.channels };
  });
  return {
    columns,
    groups: groupsOf(columns, flow.prunable),
    nodes,
    links: strongestLinks(sumLinks(flow.edges, nodeOf), detail.linksPerNode),
    detail: { ...detail },
  };
}

/** Channels ranked by score (ties by index), cut into `count` runs of near-equal size; each run ascending. */
export function quantileBands(scores: Float32Array, count: number): number[][] {
  const ranked = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  return Array.from({ length: count }, (_, b) =>
    ranked.slice(Math.floor((b * ranked.length) / count), Math.floor(((b + 1) * ranked.length) / count)).sort((x, y) => x - y),
  );
}

function nodeFor(id: number, column: number, channels: number[], scores: Float32Array, removed: ReadonlySet<number> | undefined): FlowNode {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const c of channels) {
    sum += scores[c];
    min = Math.min(min, scores[c]);
    max = Math.max(max, scores[c]);
  }
  const gone = removed ? channels.filter((c) => removed.has(c)).length : 0;
  return { id, column, channels, score: round(sum / channels.length), min: round(min), max: round(max), pruned: gone / channels.length };
}

function groupsOf(columns: FlowColumn[], prunable: ReadonlySet<number>): FlowGroup[] {
  const byId = new Map<number, FlowGroup>();
  for (const column of columns) {
    const group = byId.get(column.group) ?? { id: column.group, channels: column.channels, columns: [], coupled: false, prunable: prunable.has(column.group) };
    group.columns.push(column.index);
    group.coupled = group.columns.length > 1;
    byId.set(column.group, group);
  }
  return [...byId.values()];
}

/** Channel pairs summed into node pairs, per kind. */
function sumLinks(edges: ChannelEdge[], nodeOf: Int32Array[]): FlowLink[] {
  const sums = new Map<string, FlowLink>();
  for (const edge of edges) {
    for (let i = 0; i < edge.weight.length; i++) {
      const source = nodeOf[edge.source][edge.from[i]];
      const target = nodeOf[edge.target][edge.to[i]];
      const key = `${edge.kind}:${source}:${target}`;
      const link = sums.get(key);
      if (link) link.weight += edge.weight[i];
      else sums.set(key, { source, target, weight: edge.weight[i], kind: edge.kind });
    }
  }
  return [...sums.values()].filter((l) => l.weight > 0).map((l) => ({ ...l, weight: round(l.weight) }));
}

/** Four significant digits are plenty for a width, a colour and a tooltip, and keep the message small. */
export const round = (x: number): number => Number(x.toPrecision(4));

/** Keeps a link when it is among the `k` strongest of its kind leaving its source or entering its target. */
export function strongestLinks(links: FlowLink[], k: number): FlowLink[] {
  const keep = new Set<FlowLink>();
  for (const end of ['source', 'target'] as const) {
    const byNode = new Map<string, FlowLink[]>();
    for (const link of links) {
      const key = `${link.kind}:${link[end]}`;
      const list = byNode.get(key);
      if (list) list.push(link);
      else byNode.set(key, [link]);
    }
    for (const list of byNode.values())
      list
        .sort((a, b) => b.weight - a.weight)
        .slice(0, k)
        .forEach((l) => keep.add(l));
  }
  return links.filter((l) => keep.has(l));
}
