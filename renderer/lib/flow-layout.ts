/**
 * Geometry of the importance-flow diagram: d3 computes scales and link paths, Svelte draws them. Pure
 * functions of the data and the box, so the layout is tested without a browser.
 */
import { interpolateViridis, linkHorizontal, quantileSorted, scaleLinear, scaleSqrt } from 'd3';
import type { FlowColumn, FlowData, FlowGroup, FlowLink, FlowNode } from '../../core/api/contract.js';

export interface FlowBox {
  width: number;
  height: number;
}

export interface PlacedColumn {
  column: FlowColumn;
  x: number;
  /** Shown under the column when there is room; every column has its name in the nodes' labels. */
  label?: string;
}

export interface PlacedNode {
  node: FlowNode;
  x: number;
  /** Top edge and height (height follows the channels it stands for). */
  y: number;
  height: number;
  /** Position inside its column, top (most important) first. */
  rank: number;
}

export interface PlacedLink {
  link: FlowLink;
  path: string;
  width: number;
  /** 0 for the strongest link of its kind leaving its source or entering its target, 1 for the second, ... */
  rank: number;
}

/** A residual (coupled) group: a bracket over the columns that write it. */
export interface StreamMark {
  group: FlowGroup;
  x0: number;
  x1: number;
  y: number;
  ticks: number[];
  label: string;
}

export interface FlowLayout {
  width: number;
  height: number;
  columns: PlacedColumn[];
  nodes: PlacedNode[];
  links: PlacedLink[];
  streams: StreamMark[];
  /** Node ids by column, top first: the keyboard walks these. */
  byColumn: number[][];
  /** Widest a node gets (the most important ones). */
  nodeWidth: number;
  /** Distance between neighbouring columns. */
  spacing: number;
  /** Scores mapped to the colour scale's ends (robust: 2nd and 98th percentile). */
  scoreDomain: [number, number];
  plot: { left: number; right: number; top: number; bottom: number };
}

// The layer names are in a header above the diagram (FlowHeader), not under it.
export const MARGIN = { left: 28, right: 28, top: 24, bottom: 14 };
const STREAM_ROW = 16;
const LABEL_WIDTH_PER_CHAR = 6.4;

export function layoutFlow(data: FlowData, box: FlowBox): FlowLayout {
  const streamsOfData = data.groups.filter((g) => g.coupled);
  const levels = streamLevels(streamsOfData);
  const streamRows = levels.size ? Math.max(...levels.values()) + 1 : 0;
  const plot = {
    left: MARGIN.left,
    right: Math.max(MARGIN.left + 1, box.width - MARGIN.right),
    top: MARGIN.top + streamRows * STREAM_ROW,
    bottom: Math.max(MARGIN.top + 1, box.height - MARGIN.bottom),
  };
  const count = data.columns.length;
  const spacing = count > 1 ? (plot.right - plot.left) / (count - 1) : 0;
  const xOf = (index: number) => (count > 1 ? plot.left + index * spacing : (plot.left + plot.right) / 2);
  const nodeWidth = Math.max(3, Math.min(18, (count > 1 ? spacing : 60) * 0.62));

  const byColumn: number[][] = data.columns.map(() => []);
  for (const node of data.nodes) byColumn[node.column].push(node.id);
  // Channels to pixels: the tallest column (channels plus gaps) fills the plot. Narrow columns get hairline gaps.
  const gap = (n: number) => (n > 1 ? Math.max(0.5, Math.min(2.5, 24 / n, (count > 1 ? spacing : 60) / 10)) : 0);
  const usable = plot.bottom - plot.top;
  const perChannel = Math.max(
    0.05,
    Math.min(...data.columns.map((c, i) => (usable - gap(byColumn[i].length) * (byColumn[i].length - 1)) / Math.max(1, c.channels))),
  );
  const middle = (plot.top + plot.bottom) / 2;
  const nodes: PlacedNode[] = new Array(data.nodes.length);
  byColumn.forEach((ids, column) => {
    const g = gap(ids.length);
    const total = data.columns[column].channels * perChannel + g * (ids.length - 1);
    let y = middle - total / 2;
    ids.forEach((id, rank) => {
      const node = data.nodes[id];
      const height = node.channels.length * perChannel;
      nodes[id] = { node, x: xOf(column), y, height, rank };
      y += height + g;
    });
  });

  const maxWeight = Math.max(1e-12, ...data.links.map((l) => l.weight));
  const medianHeight =
    quantileSorted(
      nodes.map((n) => n.height).sort((a, b) => a - b),
      0.5,
    ) ?? 1;
  const stroke = scaleSqrt()
    .domain([0, maxWeight])
    .range([0, Math.max(1.2, Math.min(5, medianHeight * 0.35))]);
  const curve = linkHorizontal<[[number, number], [number, number]], [number, number]>()
    .source((d) => d[0])
    .target((d) => d[1]);
  const centre = (n: PlacedNode): [number, number] => [n.x, n.y + n.height / 2];
  const ranks = linkRanks(data.links);
  const links = data.links.map((link, i) => ({
    link,
    path: curve([centre(nodes[link.source]), centre(nodes[link.target])]) ?? '',
    width: Math.max(0.35, stroke(link.weight)),
    rank: ranks[i],
  }));

  const streams = streamsOfData.map((group) => {
    const xs = group.columns.map(xOf);
    const label = `residual stream · ${group.channels} channels · ${group.columns.length} layers`;
    return { group, x0: Math.min(...xs), x1: Math.max(...xs), y: MARGIN.top + levels.get(group.id)! * STREAM_ROW, ticks: xs, label };
  });

  return {
    width: box.width,
    height: box.height,
    columns: data.columns.map((column, i) => ({ column, x: xOf(i), label: columnLabel(data, i, xOf, spacing) })),
    nodes,
    links,
    streams,
    byColumn,
    nodeWidth,
    spacing: count > 1 ? spacing : plot.right - plot.left,
    scoreDomain: scoreDomain(data.nodes),
    plot,
  };
}

/** Links of one kind, state and (rounded) width, drawn as one path: thousands of links stay a few dozen elements. */
export interface LinkBundle {
  key: string;
  kind: FlowLink['kind'];
  /** Both ends still in the model at the step shown. */
  alive: boolean;
  width: number;
  d: string;
  count: number;
}

export function bundleLinks(links: PlacedLink[], alive: (link: FlowLink) => boolean, maxRank = Infinity): LinkBundle[] {
  const bundles = new Map<string, LinkBundle>();
  for (const placed of links) {
    if (placed.rank > maxRank) continue;
    const isAlive = alive(placed.link);
    const width = Math.max(0.25, Math.round(placed.width * 4) / 4);
    const key = `${placed.link.kind}:${isAlive ? 1 : 0}:${width}`;
    const bundle = bundles.get(key);
    if (bundle) {
      bundle.d += placed.path;
      bundle.count++;
    } else bundles.set(key, { key, kind: placed.link.kind, alive: isAlive, width, d: placed.path, count: 1 });
  }
  // Pruned links first, so live ones are drawn over them; thin before thick.
  return [...bundles.values()].sort((a, b) => Number(a.alive) - Number(b.alive) || a.width - b.width);
}

/** Each link's best place among the links of its kind at either end (strongest first). */
function linkRanks(links: FlowLink[]): number[] {
  const ranks = new Array<number>(links.length).fill(Infinity);
  for (const end of ['source', 'target'] as const) {
    const byNode = new Map<string, number[]>();
    links.forEach((link, i) => {
      const key = `${link.kind}:${link[end]}`;
      const list = byNode.get(key);
      if (list) list.push(i);
      else byNode.set(key, [i]);
    });
    for (const list of byNode.values()) list.sort((a, b) => links[b].weight - links[a].weight).forEach((i, rank) => (ranks[i] = Math.min(ranks[i], rank)));
  }
  return ranks;
}

/**
 * Links drawn per node and end where columns are this close on screen: a dense overview shows each node's
 * strongest link only (and paints fast); zooming in brings the rest back.
 */
export function linkDetail(columnSpacing: number, zoom: number): number {
  return columnSpacing * zoom < 24 ? 0 : Infinity;
}

/** Link opacity for the space between columns on screen: dense overviews stay quiet, zoomed views show the links. */
export function linkAlpha(columnSpacing: number, zoom: number): number {
  return Math.max(0.12, Math.min(0.32, (columnSpacing * zoom) / 160));
}

/** Residual groups whose column spans overlap go on separate rows. */
function streamLevels(groups: FlowGroup[]): Map<number, number> {
  const rows: number[] = [];
  const levels = new Map<number, number>();
  for (const group of [...groups].sort((a, b) => a.columns[0] - b.columns[0])) {
    const start = group.columns[0];
    let row = rows.findIndex((end) => end < start);
    if (row < 0) row = rows.push(-1) - 1;
    rows[row] = group.columns[group.columns.length - 1];
    levels.set(group.id, row);
  }
  return levels;
}

/**
 * Every column's name where they fit; otherwise the first, the last and each column where the width
 * changes (a new stage), as long as the names do not run into each other.
 */
function columnLabel(data: FlowData, index: number, xOf: (index: number) => number, spacing: number): string | undefined {
  const name = data.columns[index].layer;
  const fits = (text: string) => text.length * LABEL_WIDTH_PER_CHAR < spacing * 0.95;
  if (fits(name)) return name;
  const wanted = (i: number) => i === 0 || i === data.columns.length - 1 || data.columns[i].channels !== data.columns[i - 1].channels;
  if (!wanted(index)) return undefined;
  // Room to the next wanted label on the right.
  let next = index + 1;
  while (next < data.columns.length && !wanted(next)) next++;
  const room = next < data.columns.length ? xOf(next) - xOf(index) : Infinity;
  return name.length * LABEL_WIDTH_PER_CHAR < room - 8 ? name : undefined;
}

export function scoreDomain(nodes: FlowNode[]): [number, number] {
  if (nodes.length === 0) return [0, 1];
  const sorted = nodes.map((n) => n.score).sort((a, b) => a - b);
  const low = quantileSorted(sorted, 0.02)!;
  const high = quantileSorted(sorted, 0.98)!;
  return high - low > 1e-6 ? [low, high] : [low - 0.01, high + 0.01];
}

/** Viridis (colour-blind safe, readable in both themes), without its palest yellow end. */
export function importanceColour(domain: [number, number]): (score: number) => string {
  const t = scaleLinear().domain(domain).range([0.06, 0.94]).clamp(true);
  return (score) => interpolateViridis(t(score));
}

/** Width of a node of a given score: the most important ones are `nodeWidth` wide, the least 40% of it. */
export function nodeWidthScale(domain: [number, number], nodeWidth: number): (score: number) => number {
  const scale = scaleLinear()
    .domain(domain)
    .range([0.4 * nodeWidth, nodeWidth])
    .clamp(true);
  return (score) => scale(score);
}

/** A node at one step of the schedule. */
export interface NodeState {
  /** Mean score of its kept channels at that step (its step-0 score once all are gone). */
  score: number;
  /** Channels of the node still in the model. */
  kept: number;
}

/** Every node's kept channels and score at step `step` (groups the schedule does not cut keep everything). */
export function stateAtStep(data: FlowData, step: number): NodeState[] {
  const snapshot = data.steps[Math.max(0, Math.min(step, data.steps.length - 1))];
  const byGroup = new Map<number, Map<number, number>>();
  for (const { group, kept, scores } of snapshot?.groups ?? []) byGroup.set(group, new Map(kept.map((c, i) => [c, scores[i]])));
  return data.nodes.map((node) => {
    const kept = byGroup.get(data.columns[node.column].group);
    if (!kept) return { score: node.score, kept: node.channels.length };
    let sum = 0;
    let count = 0;
    for (const c of node.channels) {
      const score = kept.get(c);
      if (score === undefined) continue;
      sum += score;
      count++;
    }
    return { score: count ? sum / count : node.score, kept: count };
  });
}
