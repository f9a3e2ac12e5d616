/**
 * The importance flow layer by layer: what the side panel says of one layer (kept channels, a histogram
 * of its importance, why it was cut), the search by layer name, and the header's labels and the overview
 * strip's geometry for a zoom. Pure functions of the data, tested without a browser.
 */
import type { FlowData } from '../../core/api/contract.js';
import { MARGIN } from './flow-layout.js';

export interface HistogramBin {
  /** Importance range of the bin, relative to the layer's mean. */
  x0: number;
  x1: number;
  kept: number;
  removed: number;
}

export interface LayerSummary {
  column: number;
  layer: string;
  className: string;
  kept: number;
  total: number;
  prunable: boolean;
  /** The other layers that write the same channels (a residual stream). */
  sharedWith: string[];
  reason?: string;
  /** Channel importance before pruning, each bin split into channels kept and removed at the step shown. */
  histogram: HistogramBin[];
}

/** Kept channels of every column at `step` (a column whose group the schedule does not cut keeps all). */
export function keptPerColumn(data: FlowData, step: number): number[] {
  const snapshot = data.steps[Math.max(0, Math.min(step, data.steps.length - 1))];
  const kept = new Map(snapshot?.groups.map((g) => [g.group, g.kept.length]) ?? []);
  return data.columns.map((c) => kept.get(c.group) ?? c.channels);
}

/** Every channel's importance before pruning (relative to the layer's mean), by channel index. */
function channelScores(data: FlowData, column: number): Float64Array {
  const { group, channels } = data.columns[column];
  const first = data.steps[0]?.groups.find((g) => g.group === group);
  const scores = new Float64Array(channels).fill(1);
  if (first) first.kept.forEach((c, i) => (scores[c] = first.scores[i]));
  // Groups the schedule leaves alone have no step scores: their nodes' (a band's mean for each of its channels).
  else for (const node of data.nodes) if (node.column === column) for (const c of node.channels) scores[c] = node.score;
  return scores;
}

/** Equal-width bins over the layer's importance range; each channel counted as kept or removed at `step`. */
export function importanceHistogram(data: FlowData, column: number, step: number, bins = 12): HistogramBin[] {
  const scores = channelScores(data, column);
  const snapshot = data.steps[Math.max(0, Math.min(step, data.steps.length - 1))];
  const keptList = snapshot?.groups.find((g) => g.group === data.columns[column].group)?.kept;
  const kept = keptList ? new Set(keptList) : undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of scores) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const count = Math.max(1, Math.min(bins, scores.length));
  const width = (hi - lo) / count;
  const histogram = Array.from({ length: count }, (_, b) => ({ x0: lo + b * width, x1: lo + (b + 1) * width, kept: 0, removed: 0 }));
  scores.forEach((s, c) => {
    const bin = histogram[Math.min(count - 1, Math.floor((s - lo) / width))];
    if (!kept || kept.has(c)) bin.kept++;
    else bin.removed++;
  });
  return histogram;
}

export function layerSummary(data: FlowData, column: number, step: number): LayerSummary {
  const { layer, className, group, channels } = data.columns[column];
  const flowGroup = data.groups.find((g) => g.id === group);
  return {
    column,
    layer,
    className,
    kept: keptPerColumn(data, step)[column],
    total: channels,
    prunable: flowGroup?.prunable ?? false,
    sharedWith: (flowGroup?.columns ?? []).filter((c) => c !== column).map((c) => data.columns[c].layer),
    reason: flowGroup?.reason,
    histogram: importanceHistogram(data, column, step),
  };
}

/** Columns whose layer name holds the query (any case; several words must all be there); none for an empty query. */
export function searchLayers(data: FlowData, query: string): number[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return data.columns.filter((c) => words.every((w) => c.layer.toLowerCase().includes(w))).map((c) => c.index);
}

export interface HeaderLabel {
  column: number;
  /** Centre of the column on screen. */
  x: number;
  text: string;
  /** Written upwards where the names would not fit side by side. */
  vertical: boolean;
  /** A name side by side is centred on its column, or starts or ends there where centred it would leave the header. */
  anchor: 'start' | 'middle' | 'end';
}

/** Pixels per character of the header's monospace labels at `fontSize`. */
export const charWidth = (fontSize: number) => fontSize * 0.62;

/**
 * The header's labels for columns at screen positions `xs` (the zoom applied) in a header `width` wide:
 * every column on screen gets its name, side by side where the names fit, else upright; only where columns
 * are closer than `minSpacing` pixels (zoomed far out) is every other one left out, until zooming in.
 */
export function headerLabels(names: string[], xs: number[], width: number, fontSize: number, minSpacing = 8): HeaderLabel[] {
  const spacing = xs.length > 1 ? Math.abs(xs[1] - xs[0]) : width;
  const longest = Math.max(0, ...names.map((n) => n.length));
  const vertical = longest * charWidth(fontSize) > spacing * 0.92;
  const every = vertical && spacing < minSpacing ? Math.ceil(minSpacing / Math.max(spacing, 1e-6)) : 1;
  const anchor = (x: number, text: string): HeaderLabel['anchor'] => {
    const half = vertical ? 0 : (text.length * charWidth(fontSize)) / 2;
    return x - half < 0 ? 'start' : x + half > width ? 'end' : 'middle';
  };
  return names
    .map((text, column) => ({ column, x: xs[column], text, vertical, anchor: anchor(xs[column], text) }))
    .filter((l) => l.x > -fontSize && l.x < width + fontSize && l.column % every === 0);
}

/** The header's label size and the longest name it writes in full (longer ones end in an ellipsis). */
export const HEADER_FONT = 10.5;
export const HEADER_MAX_CHARS = 26;

/**
 * The header's height for a view `width` wide, from the columns' spacing when the whole network fits: room for
 * upright names where they would not fit side by side. It stays as it is while zooming, so the diagram's height
 * (and its layout) does not change with the zoom.
 */
export function headerHeight(names: string[], width: number, fontSize = HEADER_FONT): number {
  const spacing = names.length > 1 ? (width - MARGIN.left - MARGIN.right) / (names.length - 1) : width;
  const longest = Math.min(HEADER_MAX_CHARS, Math.max(0, ...names.map((n) => n.length)));
  return longest * charWidth(fontSize) > spacing * 0.92 ? Math.ceil(longest * charWidth(fontSize)) + 14 : 22;
}

/** The part of the layout's width `[x0, x1]` a zoom (scale k, shift tx) shows in a view `width` wide. */
export function visibleRange(width: number, k: number, tx: number): [number, number] {
  return [(0 - tx) / k, (width - tx) / k];
}
