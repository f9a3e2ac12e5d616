import type { DatasetPreview, ModelReport, ModelSummary, PruneResult } from '../api/contract.js';
import { classRows, worstFirst } from '../api/class-rows.js';
import { percent as reportPercent, points } from '../report/report-values.js';
import { speedupFigure, speedupSentence, speedupVerdict, timingEngineWords } from '../api/speed-words.js';

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
const millions = (x: number) => `${(x / 1e6).toFixed(3)}M`;
const thousands = (x: number) => `${(x / 1e3).toFixed(1)}k`;

/** The before/after table of a pruning run, aligned for a terminal. */
export function formatPruneTable(result: PruneResult): string {
  const rows: [string, (s: ModelSummary) => string, string][] = [
    ['top-1 accuracy', (s) => percent(s.accuracy), signed((result.pruned.accuracy - result.baseline.accuracy) * 100, ' pt')],
    ...(result.baseline.top5 !== undefined && result.pruned.top5 !== undefined
      ? [
          ['top-5 accuracy', (s: ModelSummary) => percent(s.top5!), signed((result.pruned.top5 - result.baseline.top5) * 100, ' pt')] as [
            string,
            (s: ModelSummary) => string,
            string,
          ],
        ]
      : []),
    ['parameters', (s) => thousands(s.parameters), ratio(result.pruned.parameters, result.baseline.parameters)],
    ['FLOPs (MACs)', (s) => millions(s.flops), ratio(result.pruned.flops, result.baseline.flops)],
    [
      `latency, batch ${result.baseline.latencyBatch}`,
      (s) => `${s.latencyMs.toFixed(1)} ms`,
      speedupVerdict(result.speed?.speedup.median ?? result.baseline.latencyMs / result.pruned.latencyMs, 'x'),
    ],
  ];
  const table = [['', 'baseline', 'pruned', 'change'], ...rows.map(([name, get, change]) => [name, get(result.baseline), get(result.pruned), change])];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const lines = table.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('   '));
  const widthsLine = result.pruned.layerWidths.map((l, i) => `${l.name} ${result.baseline.layerWidths[i].channels}->${l.channels}`).join(', ');
  return [
    `Pruneflow: ${result.model}`,
    `data: ${result.dataset}`,
    `criterion: ${result.criterion}; target: ${(result.target.reduction * 100).toFixed(0)}% fewer ` +
      `${result.target.metric === 'flops' ? 'FLOPs' : 'parameters'}; backend: ${result.backend}`,
    '',
    ...lines,
    '',
    ...(result.speed ? [`speed-up measured: ${speedupSentence(result.speed, 'x', '-')}`] : []),
    ...(result.speedEstimate
      ? [
          `speed-up estimated by the ${timingEngineWords(result.speedEstimate.engine)} cost model measured on this machine: ` +
            `${speedupFigure(result.speedEstimate.speedup, 'x')}`,
        ]
      : []),
    `speed-up estimated from FLOPs: ${speedupFigure(result.baseline.flops / result.pruned.flops, 'x')}`,
    `accuracy right after pruning, before fine-tuning: ${percent(result.pruneOnly.accuracy)}`,
    ...formatClassAccuracy(result),
    `layer widths: ${widthsLine}`,
    ...(result.roundTo && result.roundTo > 1 ? [`kept channels in multiples of ${result.roundTo} (--round-to 1 keeps exact counts)`] : []),
    `${result.flopsConvention}.`,
    ...(result.forwardPasses ?? []).map((line) => `forward passes, ${line}`),
    ...result.warnings.map((w) => `warning: ${w}`),
    ...result.exported.map((file) => `wrote ${file}`),
    ...(result.project ? [`saved session ${result.project.session} to ${result.project.path}`] : []),
    `finished in ${result.seconds.toFixed(1)} s`,
  ].join('\n');
}

/** Classes listed at most; with more, the ones that lost the most accuracy. */
const MAX_CLASS_LINES = 20;

/** Top-1 accuracy per class, baseline -> pruned; long lists show the classes that lost the most first. */
function formatClassAccuracy(result: PruneResult): string[] {
  const rows = classRows(result);
  if (rows.length === 0) return [];
  const shown = rows.length > MAX_CLASS_LINES ? worstFirst(rows).slice(0, 10) : rows;
  const width = Math.max(...shown.map((r) => r.name.length));
  return [
    rows.length > MAX_CLASS_LINES ? `accuracy per class, the ${shown.length} of ${rows.length} that lost the most:` : 'accuracy per class:',
    ...shown.map((r) => `  ${r.name.padEnd(width)}  ${reportPercent(r.baseline).padStart(7)} -> ${reportPercent(r.pruned).padStart(7)}  (${points(r.change)})`),
  ];
}

function signed(value: number, unit: string): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}${unit}`;
}

function ratio(after: number, before: number): string {
  return `${signed((after / before - 1) * 100, '%')}`;
}

/** What `pruneflow data info` prints: format, size, per-class counts per split, warnings. */
export function formatDatasetPreview(path: string, preview: DatasetPreview): string {
  const splitNames = preview.splits.map((s) => s.name);
  const nameWidth = Math.max(5, ...preview.classNames.map((n) => n.length));
  const header = ['class'.padEnd(nameWidth), ...splitNames.map((n) => n.padStart(8))].join('  ');
  const rows = preview.classNames.map((name, c) => [name.padEnd(nameWidth), ...preview.splits.map((s) => String(s.perClass[c]).padStart(8))].join('  '));
  const totals = ['total'.padEnd(nameWidth), ...preview.splits.map((s) => String(s.count).padStart(8))].join('  ');
  return [
    `${path}`,
    `format: ${preview.format}`,
    `images: ${preview.height}x${preview.width}, ${preview.channels} channel${preview.channels === 1 ? '' : 's'}; ${preview.classNames.length} classes`,
    '',
    header,
    ...rows,
    totals,
    '',
    preview.warnings.length ? `warnings:\n${preview.warnings.map((w) => `  - ${w}`).join('\n')}` : 'warnings: none',
  ].join('\n');
}

/** What `pruneflow model info` prints: the per-layer table, the channel groups and the pre-flight report. */
export function formatModelReport(source: string, report: ModelReport, flopsConvention: string): string {
  const layerTable = alignedTable(
    ['layer', 'class', 'output', 'params', 'FLOPs', 'activations'],
    report.layers.map((l) => [l.name, l.className, l.outputShape.slice(1).join('x'), String(l.parameters), String(l.flops), String(l.activations)]),
  );
  const groupTable = alignedTable(
    ['group', 'channels', 'prunable', 'written by'],
    report.groups.map((g) => [String(g.id), String(g.channels), g.prunable ? 'yes' : 'no', g.producers.join(', ') || '(input)']),
  );
  const { parameters, flops, activations } = report.totals;
  return [
    `${source}: ${report.name}`,
    '',
    layerTable,
    '',
    `total: ${thousands(parameters)} parameters, ${millions(flops)} FLOPs, ${millions(activations)} ` +
      `activation values per image (${((activations * 4) / 2 ** 20).toFixed(1)} MiB in float32)`,
    `${flopsConvention}.`,
    '',
    groupTable,
    '',
    'pre-flight:',
    ...report.summary.map((line) => `  ${line}`),
  ].join('\n');
}

function alignedTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.]+$/.test(r[i])));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
