import type { ParetoPoint } from '../api/comparison.js';
import { escapeHtml } from './escape.js';
import { SERIES_COLOURS, fixed, linearScale, niceTicks, padded } from './svg-scale.js';

const WIDTH = 760;
const HEIGHT = 380;
// Room on the right for the label of the point with the most FLOPs.
const MARGIN = { left: 64, right: 170, top: 16, bottom: 48 };

/**
 * Accuracy (y) against FLOPs (x) as an inline SVG string: one circle per session (filled on the Pareto
 * front, which a line joins), one square per baseline. Every label is escaped.
 */
export function accuracyFlopsSvg(points: readonly ParetoPoint[]): string {
  const plotted = points.filter((p) => Number.isFinite(p.accuracy) && Number.isFinite(p.flops));
  if (plotted.length === 0) return '<p class="empty">No session has results to plot.</p>';
  const xDomain = padded(plotted.map((p) => p.flops / 1e6));
  const yDomain = padded(plotted.map((p) => p.accuracy * 100));
  const x = linearScale(xDomain, [MARGIN.left, WIDTH - MARGIN.right]);
  const y = linearScale(yDomain, [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const px = (p: ParetoPoint) => fixed(x(p.flops / 1e6));
  const py = (p: ParetoPoint) => fixed(y(p.accuracy * 100));
  const describe = (p: ParetoPoint) =>
    `${p.label}: ${(p.accuracy * 100).toFixed(2)}% top-1, ${(p.flops / 1e6).toFixed(3)}M FLOPs${p.pareto ? ' (Pareto front)' : ''}`;

  const front = plotted.filter((p) => p.pareto).sort((a, b) => a.flops - b.flops);
  const xTicks = niceTicks(xDomain[0], xDomain[1], 6).filter((t) => t >= 0);
  const yTicks = niceTicks(yDomain[0], yDomain[1], 5);
  const bottom = HEIGHT - MARGIN.bottom;
  return [
    `<svg class="chart scatter" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Accuracy versus FLOPs">`,
    `<line class="axis" x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}"/>`,
    `<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}"/>`,
    ...xTicks.map((t) => `<text class="tick" x="${fixed(x(t))}" y="${bottom + 16}" text-anchor="middle">${t}</text>`),
    ...yTicks.map(
      (t) =>
        `<g><line class="grid" x1="${MARGIN.left}" y1="${fixed(y(t))}" x2="${WIDTH - MARGIN.right}" y2="${fixed(y(t))}"/><text ` +
        `class="tick" x="${MARGIN.left - 6}" y="${fixed(y(t)) + 4}" text-anchor="end">${t}%</text></g>`,
    ),
    `<text class="axis-title" x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" ` +
      `y="${HEIGHT - 10}" text-anchor="middle">FLOPs (millions of multiply-accumulates)</text>`,
    `<text class="axis-title" x="14" y="${(MARGIN.top + bottom) / 2}" text-anchor="middle" ` +
      `transform="rotate(-90 14 ${(MARGIN.top + bottom) / 2})">top-1 accuracy</text>`,
    front.length > 1 ? `<polyline class="front" points="${front.map((p) => `${px(p)},${py(p)}`).join(' ')}"/>` : '',
    ...plotted
      .filter((p) => p.baseline)
      .map(
        (p) =>
          `<rect class="baseline-point" x="${px(p) - 5}" y="${py(p) - 5}" width="10" height="10"><title>${escapeHtml(describe(p))}</title></rect><text ` +
          `class="point-label" x="${px(p) - 8}" y="${py(p) + 4}" text-anchor="end">baseline</text>`,
      ),
    ...plotted
      .filter((p) => !p.baseline)
      .map((p) => {
        const colour = SERIES_COLOURS[p.row % SERIES_COLOURS.length];
        const circle =
          `<circle class="point${p.pareto ? ' pareto' : ''}" data-row="${p.row}" cx="${px(p)}" cy="${py(p)}" r="5" ` +
          `stroke="${colour}" fill="${p.pareto ? colour : '#fff'}"><title>${escapeHtml(describe(p))}</title></circle>`;
        return `${circle}<text class="point-label" x="${px(p) + 8}" y="${py(p) + 4}">${escapeHtml(shortened(p.label))}</text>`;
      }),
    '</svg>',
  ]
    .filter(Boolean)
    .join('\n');
}

function shortened(text: string, max = 28): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
