import { describe, expect, it } from 'vitest';
import { aggregateFlow, type ChannelFlow, quantileBands, strongestLinks } from '../../../../core/importance/flow/flow-bands.js';
import type { FlowLink } from '../../../../core/api/importance-flow.js';

/** Scores 0.1, 0.2, ..., in a shuffled channel order (channel c scores ((c * 7) % n + 1) / 10). */
const shuffled = (n: number) => Float32Array.from({ length: n }, (_, c) => (((c * 7) % n) + 1) / 10);

/** Every channel of column `source` linked to every channel of `target` with weight 1. */
function dense(source: number, target: number, from: number, to: number): ChannelFlow['edges'][number] {
  const pairs = Array.from({ length: from * to }, (_, i) => [Math.floor(i / to), i % to]);
  return {
    source,
    target,
    kind: 'weights',
    from: Int32Array.from(pairs, ([c]) => c),
    to: Int32Array.from(pairs, ([, d]) => d),
    weight: new Float32Array(pairs.length).fill(1),
  };
}

describe('band aggregation', () => {
  it('cuts channels into quantile bands by score, best first, each band in channel order', () => {
    const scores = shuffled(10);
    const bands = quantileBands(scores, 4);
    expect(bands.map((b) => b.length)).toEqual([2, 3, 2, 3]);
    expect(bands.flat().sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    // The best band holds the two highest scores: channel 7 (1.0) and channel 4 (0.9); the last the three lowest.
    expect(bands[0]).toEqual([4, 7]);
    expect(Math.min(...bands[0].map((c) => scores[c]))).toBeGreaterThan(Math.max(...bands[1].map((c) => scores[c])));
    expect(Math.max(...bands[3].map((c) => scores[c]))).toBeCloseTo(0.3, 6);
    for (const band of bands) expect(band).toEqual([...band].sort((a, b) => a - b));
  });

  it('bands a column above the channel limit, sums the links between bands and marks pruned shares', () => {
    // Column 0: 8 channels (shown one by one); column 1: 64 channels (banded, 8 bands of 8).
    const flow: ChannelFlow = {
      columns: [
        { layer: 'a', className: 'Conv2D', group: 0, channels: 8 },
        { layer: 'b', className: 'Conv2D', group: 1, channels: 64 },
      ],
      edges: [dense(0, 1, 8, 64)],
      scores: new Map([
        [0, shuffled(8)],
        [1, shuffled(64)],
      ]),
      removed: new Map([[1, new Set([0, 1, 2, 3, 4, 5, 6, 7])]]),
      prunable: new Set([0, 1]),
    };
    const out = aggregateFlow(flow, { maxChannelsPerColumn: 32, manyColumns: 40, bandsPerColumn: 8, linksPerNode: 64 });
    expect(out.columns.map((c) => c.banded)).toEqual([false, true]);
    const [first, second] = [0, 1].map((col) => out.nodes.filter((n) => n.column === col));
    expect(first).toHaveLength(8);
    expect(second).toHaveLength(8);
    expect(second.every((n) => n.channels.length === 8)).toBe(true);
    // Top to bottom by score; a band's score is its channels' mean, with their range.
    expect(second.map((n) => n.score)).toEqual([...second.map((n) => n.score)].sort((a, b) => b - a));
    for (const node of second) {
      const values = node.channels.map((c) => flow.scores.get(1)![c]);
      expect(node.score).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 3);
      expect([node.min, node.max]).toEqual([expect.closeTo(Math.min(...values), 3), expect.closeTo(Math.max(...values), 3)]);
      expect(node.pruned).toBeCloseTo(node.channels.filter((c) => c < 8).length / 8, 6);
    }
    // 8 x 8 node pairs, each the sum of 1 x 8 channel pairs.
    expect(out.links).toHaveLength(64);
    expect(out.links.every((l) => l.weight === 8 && l.kind === 'weights')).toBe(true);
    expect(out.groups).toEqual([
      { id: 0, channels: 8, columns: [0], coupled: false, prunable: true },
      { id: 1, channels: 64, columns: [1], coupled: false, prunable: true },
    ]);
  });

  it('bands every column of a deep model and marks coupled groups', () => {
    const columns = Array.from({ length: 41 }, (_, i) => ({ layer: `conv${i}`, className: 'Conv2D', group: i % 2 === 0 ? 0 : i, channels: 16 }));
    const out = aggregateFlow({ columns, edges: [], scores: new Map(), removed: new Map(), prunable: new Set() });
    expect(out.columns.every((c) => c.banded)).toBe(true);
    expect(out.nodes).toHaveLength(41 * 8);
    const stream = out.groups.find((g) => g.id === 0)!;
    expect(stream.coupled).toBe(true);
    expect(stream.columns).toEqual(columns.flatMap((c, i) => (c.group === 0 ? [i] : [])));
    expect(out.groups.filter((g) => g.coupled)).toHaveLength(1);
  });

  it('keeps the k strongest links of each kind per node and direction', () => {
    const link = (source: number, target: number, weight: number, kind: FlowLink['kind'] = 'weights'): FlowLink => ({ source, target, weight, kind });
    // Source 0 reaches targets 1..4; each target has only that one incoming link, so all survive through their targets.
    expect(strongestLinks([link(0, 1, 4), link(0, 2, 3), link(0, 3, 2), link(0, 4, 1)], 2)).toHaveLength(4);
    // Two sources into two targets: the weakest pair is neither side's top 1.
    const kept = strongestLinks([link(0, 2, 5), link(0, 3, 1), link(1, 2, 0.5), link(1, 3, 4), link(1, 3, 9, 'residual')], 1);
    expect(kept).toEqual([link(0, 2, 5), link(1, 3, 4), link(1, 3, 9, 'residual')]);
  });
});
