import { describe, expect, it } from 'vitest';
import type { FlowData, PruneResult } from '../../../core/api/contract.js';
import { headerHeight, headerLabels, importanceHistogram, keptPerColumn, layerSummary, searchLayers, visibleRange } from '../../../renderer/lib/flow-layers.js';
import { flowRequestFor, sameRequest } from '../../../renderer/lib/flow-request.js';

/** Three layers: 'stem' (2 channels, not cut by the schedule), 'block1_conv' and 'block2_conv' sharing a residual group of 4 channels. */
const flow: FlowData = {
  model: 'tiny',
  modelLabel: 'Tiny',
  criterion: 'l1',
  criterionLabel: 'L1 norm',
  target: { metric: 'flops', reduction: 0.3 },
  columns: [
    { index: 0, layer: 'stem', className: 'Conv2D', group: 0, channels: 2, banded: false },
    { index: 1, layer: 'block1_conv', className: 'Conv2D', group: 1, channels: 4, banded: false },
    { index: 2, layer: 'Block2_Conv', className: 'Conv2D', group: 1, channels: 4, banded: false },
  ],
  groups: [
    { id: 0, channels: 2, columns: [0], coupled: false, prunable: false, reason: 'Not pruned: output.' },
    { id: 1, channels: 4, columns: [1, 2], coupled: true, prunable: true, reason: 'Global ranking: 2 fell below the cut-off.' },
  ],
  nodes: [
    { id: 0, column: 0, channels: [0, 1], score: 1.25, min: 1, max: 1.5, pruned: 0 },
    { id: 1, column: 1, channels: [0], score: 2, min: 2, max: 2, pruned: 0 },
    { id: 2, column: 1, channels: [1, 2, 3], score: 0.667, min: 0.2, max: 1, pruned: 0.667 },
    { id: 3, column: 2, channels: [0, 1, 2, 3], score: 1, min: 0.2, max: 2, pruned: 0.5 },
  ],
  links: [],
  steps: [
    { step: 0, label: 'unpruned', reduction: 0, flops: 100, params: 10, groups: [{ group: 1, kept: [0, 1, 2, 3], scores: [2, 0.2, 1, 0.8] }] },
    { step: 1, label: 'step 1 of 2', reduction: 0.15, flops: 85, params: 9, groups: [{ group: 1, kept: [0, 2, 3], scores: [1.6, 0.8, 0.6] }] },
    { step: 2, label: 'step 2 of 2', reduction: 0.3, flops: 70, params: 8, groups: [{ group: 1, kept: [0, 2], scores: [1.3, 0.7] }] },
  ],
  detail: { maxChannelsPerColumn: 32, manyColumns: 40, bandsPerColumn: 8, linksPerNode: 3 },
  warnings: [],
};

describe('the flow layer by layer', () => {
  it('counts the kept channels of every layer at each step; a group the schedule leaves alone keeps all', () => {
    expect(keptPerColumn(flow, 0)).toEqual([2, 4, 4]);
    expect(keptPerColumn(flow, 1)).toEqual([2, 3, 3]);
    expect(keptPerColumn(flow, 2)).toEqual([2, 2, 2]);
    expect(keptPerColumn(flow, 99)).toEqual([2, 2, 2]);
  });

  it('sums the histogram to the layer’s channels, split into kept and removed at the step shown', () => {
    const bins = importanceHistogram(flow, 1, 2, 3);
    expect(bins).toHaveLength(3);
    expect(bins[0].x0).toBeCloseTo(0.2, 6);
    expect(bins[2].x1).toBeCloseTo(2, 6);
    // Scores 2, 0.2, 1, 0.8 in bins of 0.6: 0.2 -> bin 0 (removed), 0.8 -> bin 1 (removed), 1 -> bin 1 (kept), 2 -> bin 2 (kept).
    expect(bins.map((b) => [b.kept, b.removed])).toEqual([
      [0, 1],
      [1, 1],
      [1, 0],
    ]);
    expect(importanceHistogram(flow, 1, 0).reduce((n, b) => n + b.kept + b.removed, 0)).toBe(4);
    // Not cut: every channel kept; its scores are its nodes'.
    const stem = importanceHistogram(flow, 0, 2, 12);
    expect(stem.reduce((n, b) => n + b.kept, 0)).toBe(2);
    expect(stem.every((b) => b.removed === 0)).toBe(true);
  });

  it('says of a layer what it kept, what it shares and why it was cut', () => {
    const summary = layerSummary(flow, 2, 2);
    expect(summary).toMatchObject({ layer: 'Block2_Conv', kept: 2, total: 4, prunable: true, sharedWith: ['block1_conv'] });
    expect(summary.reason).toMatch(/^Global ranking/);
    expect(layerSummary(flow, 0, 2)).toMatchObject({ kept: 2, total: 2, prunable: false, sharedWith: [], reason: 'Not pruned: output.' });
  });

  it('finds layers by name in any case, every word of the query', () => {
    expect(searchLayers(flow, 'CONV')).toEqual([1, 2]);
    expect(searchLayers(flow, ' block2 ')).toEqual([2]);
    expect(searchLayers(flow, 'block conv 1')).toEqual([1]);
    expect(searchLayers(flow, 'fc')).toEqual([]);
    expect(searchLayers(flow, '   ')).toEqual([]);
  });
});

describe('the header of layer names', () => {
  const names = Array.from({ length: 112 }, (_, i) => `stage3_block${i}_a_conv`);
  const at = (spacing: number, shift = 0) => names.map((_, i) => 28 + i * spacing + shift);

  it('writes short names side by side and long ones upright, every column on screen labelled', () => {
    const wide = headerLabels(['a', 'b'], [100, 400], 500, 10.5);
    expect(wide.map((l) => [l.text, l.vertical])).toEqual([
      ['a', false],
      ['b', false],
    ]);
    // A name that centred would leave the header starts (or ends) at its column instead.
    expect(headerLabels(['block1_conv', 'b', 'classifier_dense'], [28, 250, 490], 500, 10.5).map((l) => l.anchor)).toEqual(['start', 'middle', 'end']);
    // ResNet-110 fitted into 1100 pixels: about 9.6 pixels a column, each named, upright.
    const fitted = headerLabels(names, at(9.6), 1100, 10.5);
    expect(fitted).toHaveLength(112);
    expect(fitted.every((l) => l.vertical)).toBe(true);
  });

  it('keeps the names at their columns when zoomed, showing only those on screen', () => {
    // Zoomed 8x on the middle: about 14 columns on screen, wide enough to stay upright but each named.
    const zoomed = headerLabels(names, at(9.6 * 8, -4000), 1100, 10.5);
    expect(zoomed.length).toBeGreaterThan(10);
    expect(zoomed.length).toBeLessThan(20);
    expect(zoomed.every((l) => l.x > -11 && l.x < 1111)).toBe(true);
    // Zoomed far enough, the names fit side by side.
    expect(headerLabels(names, at(400, -4000), 1100, 10.5).every((l) => !l.vertical)).toBe(true);
  });

  it('leaves out every other name only where columns are closer than a line of text', () => {
    const dense = headerLabels(names, at(5), 1100, 10.5);
    expect(dense).toHaveLength(56);
    expect(dense.every((l) => l.column % 2 === 0)).toBe(true);
  });

  it('sizes the header from the view that fits the network: upright names need room, short ones a line', () => {
    expect(headerHeight(names, 1200)).toBe(Math.ceil(22 * 10.5 * 0.62) + 14);
    expect(headerHeight(['conv1', 'conv2', 'fc'], 1200)).toBe(22);
  });

  it('maps the zoom to the part of the layout on screen', () => {
    expect(visibleRange(1000, 1, 0)).toEqual([0, 1000]);
    expect(visibleRange(1000, 4, -2000)).toEqual([500, 750]);
  });
});

describe('which session a Results screen’s flow shows', () => {
  const result = { project: { path: '/p/a.pruneflow', session: 's2' } } as unknown as PruneResult;
  const unsaved = {} as PruneResult;

  it('a reviewed session of the open project, else the project session the run saved, else the run itself', () => {
    expect(flowRequestFor(unsaved, { reviewed: 's1', projectPath: '/p/b.pruneflow', taskId: 'task-1' })).toEqual({ project: '/p/b.pruneflow', session: 's1' });
    expect(flowRequestFor(result, { taskId: 'task-3' })).toEqual({ project: '/p/a.pruneflow', session: 's2' });
    expect(flowRequestFor(unsaved, { taskId: 'task-3' })).toEqual({ task: 'task-3' });
    expect(flowRequestFor(unsaved, {})).toBeUndefined();
  });

  it('tells the same session apart from another', () => {
    expect(sameRequest({ task: 'task-1' }, { task: 'task-1' })).toBe(true);
    expect(sameRequest({ task: 'task-1' }, { project: '/a', session: 's1' })).toBe(false);
    expect(sameRequest({ project: '/a', session: 's1' }, { project: '/a', session: 's1' })).toBe(true);
    expect(sameRequest({ project: '/a', session: 's1' }, { project: '/a', session: 's2' })).toBe(false);
  });
});
