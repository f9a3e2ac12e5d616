import type { ComparisonRow, LayerWidthRow } from '../api/comparison.js';
import { escapeHtml } from './escape.js';
import { SERIES_COLOURS, fixed } from './svg-scale.js';

const WIDTH = 640;
const LABEL = 160;
const BAR = 11;
const GAP = 6;

/**
 * Kept channels per layer as an inline SVG string: for every layer, one bar per session over a pale bar
 * of the baseline's width, all on one scale (the widest layer spans the chart).
 */
export function layerWidthsSvg(layers: readonly LayerWidthRow[], rows: readonly ComparisonRow[]): string {
  const widest = Math.max(0, ...layers.flatMap((l) => [...l.baseline, ...l.kept].map((w) => w ?? 0)));
  if (layers.length === 0 || widest === 0) return '<p class="empty">No layer widths recorded.</p>';
  const sessions = rows.length;
  const band = sessions * BAR + GAP;
  const legend = 18 * Math.ceil(sessions / 3);
  const height = legend + layers.length * band + GAP;
  const scale = (w: number) => fixed((w / widest) * (WIDTH - LABEL - 48));
  const parts = [
    `<svg class="chart widths" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="Kept channels per layer">`,
  ];
  rows.forEach((row, s) => {
    const [lx, ly] = [LABEL + (s % 3) * 150, 12 + 18 * Math.floor(s / 3)];
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${SERIES_COLOURS[s % SERIES_COLOURS.length]}"/><text ` +
        `class="legend" x="${lx + 14}" y="${ly}">${escapeHtml(`${row.sessionName} (${row.sessionId})`)}</text>`,
    );
  });
  layers.forEach((layer, l) => {
    const top = legend + l * band;
    parts.push(`<text class="layer" x="${LABEL - 6}" y="${top + (sessions * BAR) / 2 + 4}" text-anchor="end">${escapeHtml(layer.layer)}</text>`);
    layer.kept.forEach((kept, s) => {
      const base = layer.baseline[s];
      const y = top + s * BAR;
      if (base !== null) parts.push(`<rect class="baseline-bar" x="${LABEL}" y="${y}" width="${scale(base)}" height="${BAR - 1}"/>`);
      if (kept === null) return;
      const words = `${layer.layer}, ${rows[s].sessionName} (${rows[s].sessionId}): ${kept}${base === null ? '' : ` of ${base}`} channels kept`;
      parts.push(
        `<rect class="kept-bar" x="${LABEL}" y="${y}" width="${scale(kept)}" height="${BAR - 1}" ` +
          `fill="${SERIES_COLOURS[s % SERIES_COLOURS.length]}"><title>${escapeHtml(words)}</title></rect>`,
      );
      parts.push(`<text class="width" x="${LABEL + scale(Math.max(kept, base ?? 0)) + 4}" y="${y + BAR - 1}">${kept}${base === null ? '' : `/${base}`}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
