import { accuracyFlopsSvg } from './accuracy-flops-svg.js';
import { escapeHtml } from './escape.js';
import { layerWidthsSvg } from './layer-widths-svg.js';
import { type ReportInput, type SessionDetail, TABLE_COLUMNS } from './report-input.js';
import { percent, points } from './report-values.js';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #1d1d1f; margin: 2em auto; max-width: 1280px; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.sessions { font-size: 13px; } table.sessions td:nth-child(2) { min-width: 12em; }
.wide { overflow-x: auto; }
tr.pareto td:first-child { box-shadow: inset 3px 0 #1f77b4; }
.muted { color: #666; }
.chart text { font: 11px system-ui, sans-serif; fill: #333; }
.chart .axis { stroke: #333; } .chart .grid { stroke: #eee; }
.chart .point { stroke-width: 2; } .chart .point-label { font-size: 10px; fill: #555; }
.chart .front { fill: none; stroke: #1f77b4; stroke-dasharray: 4 3; }
.chart .baseline-point { fill: #888; } .chart .baseline-bar { fill: #e4e4e4; }
.chart .width, .chart .layer { font-size: 10px; }
details { margin: 0.5em 0; } summary { cursor: pointer; font-weight: 600; }
@media print { details { break-inside: avoid; } }
`;

/**
 * A report as one self-contained HTML page: inline CSS, charts as inline SVG, no scripts and no external
 * resources, so it opens anywhere, offline, and can be mailed as one file. All text is escaped.
 */
export function htmlReport(input: ReportInput): string {
  const { comparison } = input;
  const pareto = new Set(comparison.points.filter((p) => p.pareto).map((p) => p.row));
  const header = TABLE_COLUMNS.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`).join('');
  const rows = comparison.rows.map(
    (row, i) =>
      `<tr${pareto.has(i) ? ' class="pareto"' : ''}>` +
      TABLE_COLUMNS.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.cell(row))}</td>`).join('') +
      '</tr>',
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="muted">Made by Pruneflow on ` +
      `${escapeHtml(input.generated)}.${comparison.flopsConvention ? ` ${escapeHtml(comparison.flopsConvention)}.` : ''}</p>`,
    '<h2>Sessions</h2>',
    `<div class="wide"><table class="sessions"><thead><tr>${header}</tr></thead><tbody>`,
    ...rows,
    '</tbody></table></div>',
    '<p class="muted">Rows marked at the left are on the Pareto front: no other session is as accurate with as few FLOPs.</p>',
    '<h2>Accuracy against FLOPs</h2>',
    accuracyFlopsSvg(comparison.points),
    '<p class="muted">Filled circles: the Pareto front (joined by the dashed line); open circles: sessions off it; grey squares: the baselines.</p>',
    '<h2>Kept channels per layer</h2>',
    layerWidthsSvg(comparison.layers, comparison.rows),
    '<h2>Session details</h2>',
    ...input.details.map(detailSection),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function classTable(detail: SessionDetail): string {
  const head = ['class', 'images', 'baseline', 'pruned', 'change'].map((h, i) => `<th${i ? ' class="num"' : ''}>${h}</th>`).join('');
  const rows = detail.classes.map(
    (c) =>
      `<tr><td>${escapeHtml(c.name)}</td>` +
      [String(c.images), percent(c.baseline), percent(c.pruned), points(c.change)].map((v) => `<td class="num">${v}</td>`).join('') +
      '</tr>',
  );
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function detailSection(detail: SessionDetail): string {
  const table = (pairs: [string, string][]) =>
    `<table>${pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
  const dates = `started ${detail.started}` + (detail.finished ? `, finished ${detail.finished}` : '') + (detail.dataset ? `; data: ${detail.dataset}` : '');
  const steps = detail.steps.map((s) => `<tr><td class="num">${s.step}</td><td class="num">${s.groups}</td><td class="num">${s.removed}</td></tr>`).join('');
  return [
    `<details open><summary>${escapeHtml(`${detail.name} (${detail.id})`)} <span class="muted">${escapeHtml(detail.project)}</span></summary>`,
    `<p>${escapeHtml(dates)}</p>`,
    '<h3>Settings</h3>',
    table(detail.settings),
    '<h3>Pruning steps</h3>',
    detail.steps.length
      ? `<table><thead><tr><th class="num">step</th><th class="num">groups cut</th><th ` +
        `class="num">channels removed</th></tr></thead><tbody>${steps}</tbody></table>`
      : '<p class="muted">none recorded</p>',
    ...(detail.classes.length ? ['<h3>Top-1 accuracy per class</h3>', classTable(detail)] : []),
    '<h3>Environment</h3>',
    table(detail.environment),
    ...(detail.warnings.length ? ['<h3>Warnings</h3>', `<ul>${detail.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`] : []),
    '</details>',
  ].join('\n');
}
