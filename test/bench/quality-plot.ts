import { scaleLinear } from 'd3';
import { CIFAR10, MATCHED_ID, METHODS, type QualityDataset } from './quality-config.js';
import type { QualityResults } from './quality-store.js';

const WIDTH = 760;
const HEIGHT = 440;
const MARGIN = { top: 36, right: 190, bottom: 48, left: 56 };
const COLOURS = ['#7f7f7f', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#d62728', '#17becf'];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Accuracy against FLOPs kept, one line per method through its cuts (seed 1), seed ranges as bars, the
 * PyTorch matched pair as squares, the baseline as a dashed line:
 * an SVG document built as a string (d3 only computes the scales).
 */
export function qualityPlot(results: QualityResults, dataset: QualityDataset = CIFAR10): string {
  const cells = results.cells.filter((c) => c.seed === 1 && METHODS.some((m) => m.id === c.method));
  const kept = (c: { flops: number; baselineFlops: number }) => (100 * c.flops) / c.baselineFlops;
  const accuracies = results.cells.map((c) => c.accuracy * 100).concat(results.baseline ? [results.baseline.accuracy * 100] : []);
  if (results.torch?.available) accuracies.push(results.torch.pruned.accuracy * 100);
  const x = scaleLinear()
    .domain([20, 100])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain(accuracies.length ? [Math.min(...accuracies) - 2, Math.max(...accuracies) + 2] : [48, 62])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const parts: string[] = [];
  for (const tick of y.ticks(8)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`);
  }
  for (const tick of x.ticks(8)) {
    parts.push(`<line x1="${x(tick)}" x2="${x(tick)}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x(tick)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${tick}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 10}" text-anchor="middle">FLOPs kept (% of the baseline)</text>`);
  parts.push(`<text transform="translate(16 ${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">top-1 accuracy (%)</text>`);
  parts.push(`<text x="${MARGIN.left}" y="20" font-weight="bold">ResNet-20, ${escape(dataset.label)}: accuracy after pruning and fine-tuning</text>`);
  if (results.baseline) {
    const by = y(results.baseline.accuracy * 100);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${by}" y2="${by}" stroke="#000" stroke-dasharray="4 4"/>`);
    parts.push(`<text x="${x(100) - 4}" y="${by - 6}" text-anchor="end">baseline ${(results.baseline.accuracy * 100).toFixed(1)}%</text>`);
  }
  METHODS.forEach((method, i) => {
    const points = cells.filter((c) => c.method === method.id).sort((a, b) => kept(a) - kept(b));
    const colour = COLOURS[i % COLOURS.length];
    const dash = method.schedule === 'continuous' ? ' stroke-dasharray="6 3"' : '';
    if (points.length > 1) {
      const path = points.map((c, k) => `${k ? 'L' : 'M'}${x(kept(c)).toFixed(1)},${y(c.accuracy * 100).toFixed(1)}`).join('');
      parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    }
    for (const c of points) {
      parts.push(
        `<circle cx="${x(kept(c)).toFixed(1)}" cy="${y(c.accuracy * 100).toFixed(1)}" r="4" ` +
          `fill="${colour}"><title>${escape(method.label)}: ${(c.accuracy * 100).toFixed(2)}% at ${kept(c).toFixed(1)}% FLOPs</title></circle>`,
      );
    }
    const ly = MARGIN.top + 8 + i * 20;
    parts.push(`<line x1="${WIDTH - MARGIN.right + 16}" x2="${WIDTH - MARGIN.right + 40}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash}/>`);
    parts.push(`<circle cx="${WIDTH - MARGIN.right + 28}" cy="${ly}" r="4" fill="${colour}"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right + 48}" y="${ly + 4}">${escape(method.label)}</text>`);
  });
  // Seeds: the min-max range of every method and cut run with more than one seed.
  METHODS.forEach((method, i) => {
    for (const cut of new Set(results.cells.filter((c) => c.method === method.id && c.seed !== 1).map((c) => c.cut))) {
      const runs = results.cells.filter((c) => c.method === method.id && c.cut === cut);
      if (runs.length < 2) continue;
      const at = x(kept(runs[0])).toFixed(1);
      const [low, high] = [Math.min(...runs.map((c) => c.accuracy)), Math.max(...runs.map((c) => c.accuracy))].map((a) => y(a * 100).toFixed(1));
      parts.push(
        `<line x1="${at}" x2="${at}" y1="${low}" y2="${high}" stroke="${COLOURS[i % COLOURS.length]}" ` +
          `stroke-width="1.5"><title>${escape(method.label)}: ${runs.length} seeds, min to max</title></line>`,
      );
    }
  });
  // The matched pair of the PyTorch section: same shape, same weights, two engines.
  const matched = results.cells.find((c) => c.method === MATCHED_ID && c.seed === 1);
  const torch = results.torch?.available ? results.torch : undefined;
  const squares: { label: string; kept: number; accuracy: number; fill: string }[] = [];
  if (matched) squares.push({ label: 'L1 block-inner, Pruneflow', kept: kept(matched), accuracy: matched.accuracy, fill: '#000' });
  if (torch)
    squares.push({ label: 'L1 block-inner, PyTorch', kept: (100 * torch.pruned.macs) / torch.baseline.macs, accuracy: torch.pruned.accuracy, fill: '#fff' });
  squares.forEach((sq, k) => {
    const [sx, sy] = [x(sq.kept), y(sq.accuracy * 100)];
    parts.push(
      `<rect x="${(sx - 4).toFixed(1)}" y="${(sy - 4).toFixed(1)}" width="8" height="8" fill="${sq.fill}" ` +
        `stroke="#000"><title>${escape(sq.label)}: ${(sq.accuracy * 100).toFixed(2)}%</title></rect>`,
    );
    const ly = MARGIN.top + 8 + (METHODS.length + k) * 20;
    parts.push(`<rect x="${WIDTH - MARGIN.right + 24}" y="${ly - 4}" width="8" height="8" fill="${sq.fill}" stroke="#000"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right + 48}" y="${ly + 4}">${escape(sq.label)}</text>`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
