import type { SensitivityReport } from '../api/contract.js';

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

/** What `pruneflow sensitivity` prints: one row per channel group, the accuracy drop at each share removed. */
export function formatSensitivityReport(report: SensitivityReport): string {
  const { table } = report;
  const header = ['group', 'layers', 'channels', ...table.ratios.map((r) => `-${(r * 100).toFixed(0)}%`)];
  const rows = table.rows.map((row) => [String(row.group), row.layers.join(', '), String(row.channels), ...row.trials.map((t) => (t.drop * 100).toFixed(2))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Names left-aligned, numbers right-aligned.
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `Pruneflow sensitivity: ${report.model}`,
    `data: ${report.dataset}`,
    `criterion: ${report.criterion}; backend: ${report.backend}`,
    `accuracy of the whole model on ${table.images} training images: ${percent(table.baseline)}${report.cached ? ' (table from the cache)' : ''}`,
    '',
    'accuracy drop in points when one group alone loses that share of its channels (lowest-scored first):',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    ...(report.forwardPasses ?? []).map((line) => `forward passes, ${line}`),
    ...report.warnings.map((w) => `warning: ${w}`),
    `finished in ${report.seconds.toFixed(1)} s`,
  ].join('\n');
}
