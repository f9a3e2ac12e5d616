import { beforeAll, describe, expect, it } from 'vitest';
import type { FlowData } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { readAsset } from '../../../core/node/assets.js';
import { importanceFlow } from '../../../core/session/importance-flow.js';
import { describeNode, nodeDetails, nodeInDirection } from '../../../renderer/lib/flow-describe.js';
import { bundleLinks, importanceColour, layoutFlow, linkAlpha, linkDetail, stateAtStep } from '../../../renderer/lib/flow-layout.js';

/** Two layers: 'a' with 2 channels, 'b' with 3; 'b' loses channel 1 at step 1. */
const tiny: FlowData = {
  model: 'tiny',
  modelLabel: 'Tiny',
  criterion: 'cip',
  criterionLabel: 'CIP',
  target: { metric: 'flops', reduction: 0.3 },
  columns: [
    { index: 0, layer: 'a', className: 'Conv2D', group: 0, channels: 2, banded: false },
    { index: 1, layer: 'b', className: 'Conv2D', group: 1, channels: 3, banded: false },
  ],
  groups: [
    { id: 0, channels: 2, columns: [0], coupled: false, prunable: true },
    { id: 1, channels: 3, columns: [1], coupled: false, prunable: true },
  ],
  nodes: [
    { id: 0, column: 0, channels: [1], score: 1.2, min: 1.2, max: 1.2, pruned: 0 },
    { id: 1, column: 0, channels: [0], score: 0.8, min: 0.8, max: 0.8, pruned: 0 },
    { id: 2, column: 1, channels: [2], score: 1.5, min: 1.5, max: 1.5, pruned: 0 },
    { id: 3, column: 1, channels: [0], score: 1, min: 1, max: 1, pruned: 0 },
    { id: 4, column: 1, channels: [1], score: 0.5, min: 0.5, max: 0.5, pruned: 1 },
  ],
  links: [
    { source: 0, target: 2, weight: 4, kind: 'weights' },
    { source: 1, target: 4, weight: 1, kind: 'weights' },
  ],
  steps: [
    { step: 0, label: 'unpruned', reduction: 0, flops: 100, params: 10, groups: [{ group: 1, kept: [0, 1, 2], scores: [1, 0.5, 1.5] }] },
    { step: 1, label: 'step 1 of 1', reduction: 0.3, flops: 70, params: 7, groups: [{ group: 1, kept: [0, 2], scores: [0.9, 1.1] }] },
  ],
  detail: { maxChannelsPerColumn: 32, manyColumns: 40, bandsPerColumn: 8, linksPerNode: 3 },
  warnings: [],
};

const finite = (...values: number[]) => values.every(Number.isFinite);

describe('flow layout on a hand-made flow', () => {
  const layout = layoutFlow(tiny, { width: 600, height: 300 });

  it('places columns left to right inside the plot and stacks nodes best first, heights by channels', () => {
    expect(layout.columns.map((c) => c.x)).toEqual([layout.plot.left, layout.plot.right]);
    expect(layout.byColumn).toEqual([
      [0, 1],
      [2, 3, 4],
    ]);
    const [top, middle, bottom] = [2, 3, 4].map((id) => layout.nodes[id]);
    expect(top.y).toBeLessThan(middle.y);
    expect(middle.y + middle.height).toBeLessThanOrEqual(bottom.y);
    expect(top.height).toBeCloseTo(middle.height, 9);
    // Every column is centred on the plot's middle; the tallest fills it.
    expect(top.y).toBeCloseTo(layout.plot.top, 6);
    expect(bottom.y + bottom.height).toBeCloseTo(layout.plot.bottom, 6);
    // Short labels fit under every column.
    expect(layout.columns.map((c) => c.label)).toEqual(['a', 'b']);
  });

  it('draws a link from centre to centre and keeps it thinner than the widest', () => {
    const [strong, weak] = layout.links;
    const start = layout.nodes[0];
    // d3's path rounds its numbers: compare the start point as numbers.
    const [, x, y] = /^M([\d.]+),([\d.]+)C/.exec(strong.path)!.map(Number);
    expect(x).toBeCloseTo(start.x, 3);
    expect(y).toBeCloseTo(start.y + start.height / 2, 3);
    expect(strong.width).toBeGreaterThan(weak.width);
  });

  it('reads each node at a step: kept channels and their mean score', () => {
    expect(stateAtStep(tiny, 0).map((s) => s.kept)).toEqual([1, 1, 1, 1, 1]);
    const after = stateAtStep(tiny, 1);
    // Group 0 is not in the snapshot: the schedule left it whole.
    expect(after.map((s) => s.kept)).toEqual([1, 1, 1, 1, 0]);
    expect(after[2].score).toBeCloseTo(1.1, 9);
    expect(after[4].score).toBe(0.5);
    expect(describeNode(tiny, tiny.nodes[4], after[4], 2, 3)).toBe('b, channel 1: importance 0.50 times the layer mean, pruned');
  });

  it('puts a node into words and walks to its neighbours with the arrow keys', () => {
    const details = nodeDetails(tiny, layout, 2, stateAtStep(tiny, 1)[2]);
    expect(details).toMatchObject({ layer: 'b', what: 'Channel 2', importance: 'Importance 1.100× layer mean', kept: 'all kept' });
    expect(details.relevance).toBe('Relevance received 0.00, passed back 4.00 (links shown)');
    // Left and right go to the nearest node of the next layer by height (the upper one on a tie); up and down stay in the layer.
    expect(nodeInDirection(layout, 1, 'ArrowRight')).toBe(3);
    expect(nodeInDirection(layout, 4, 'ArrowLeft')).toBe(1);
    expect(nodeInDirection(layout, 0, 'ArrowRight')).toBe(2);
    expect(nodeInDirection(layout, 2, 'ArrowDown')).toBe(3);
    expect(nodeInDirection(layout, 2, 'ArrowUp')).toBeUndefined();
    expect(nodeInDirection(layout, 3, 'ArrowLeft')).toBe(0);
    expect(nodeInDirection(layout, 3, 'ArrowRight')).toBeUndefined();
    expect(nodeInDirection(layout, 4, 'Home')).toBe(1);
    expect(nodeInDirection(layout, 0, 'Enter')).toBeUndefined();
  });

  it('bundles links by kind, state and width, live ones drawn last', () => {
    const bundles = bundleLinks(layout.links, (l) => stateAtStep(tiny, 1)[l.target].kept > 0);
    expect(bundles.map((b) => [b.kind, b.alive, b.count])).toEqual([
      ['weights', false, 1],
      ['weights', true, 1],
    ]);
    expect(bundles[1].d).toBe(layout.links[0].path);
  });

  it("ranks each link at its ends, so a dense overview can draw each node's strongest only", () => {
    const links: FlowData['links'] = [
      { source: 0, target: 2, weight: 4, kind: 'weights' },
      { source: 0, target: 3, weight: 3, kind: 'weights' },
      { source: 1, target: 3, weight: 5, kind: 'weights' },
      { source: 1, target: 2, weight: 1, kind: 'weights' },
    ];
    const placed = layoutFlow({ ...tiny, links }, { width: 600, height: 300 }).links;
    // 0->3 is second at node 0 and second into node 3; 1->2 is last at both ends.
    expect(placed.map((l) => l.rank)).toEqual([0, 1, 0, 1]);
    expect(bundleLinks(placed, () => true, 0).reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(linkDetail(11, 1)).toBe(0);
    expect(linkDetail(11, 4)).toBe(Infinity);
  });

  it('maps scores to viridis and quiets links in dense views', () => {
    const colour = importanceColour([0.5, 1.5]);
    expect(colour(0.5)).not.toBe(colour(1.5));
    expect(colour(-10)).toBe(colour(0.5));
    expect(linkAlpha(10, 1)).toBeLessThan(linkAlpha(10, 8));
    expect(linkAlpha(1000, 1)).toBeLessThanOrEqual(0.32);
  });
});

describe('flow layout of ResNet-20 from the engine', () => {
  let flow: FlowData;
  beforeAll(async () => {
    await wasmCandidate.load();
    flow = await importanceFlow({ model: 'resnet20', steps: 2 }, { readAsset });
  });

  it.each([
    [1280, 560],
    [640, 300],
    [200, 120],
  ])('keeps every node and link inside a %ix%i box, with no NaN', (width, height) => {
    const layout = layoutFlow(flow, { width, height });
    expect(layout.nodes).toHaveLength(flow.nodes.length);
    for (const { x, y, height: h } of layout.nodes) {
      expect(finite(x, y, h)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(width);
      expect(y).toBeGreaterThanOrEqual(layout.plot.top - 1e-6);
      expect(y + h).toBeLessThanOrEqual(layout.plot.bottom + 1e-6);
      expect(h).toBeGreaterThan(0);
    }
    for (const link of layout.links) {
      expect(link.path).not.toMatch(/NaN|undefined/);
      expect(finite(link.width)).toBe(true);
    }
    for (const stream of layout.streams) expect(stream.y).toBeLessThan(layout.plot.top);
    expect(layout.streams).toHaveLength(3);
    expect(finite(...layout.scoreDomain)).toBe(true);
  });
});
