import { markdownCell } from './escape.js';
import { type ReportInput, TABLE_COLUMNS } from './report-input.js';
import { percent, points } from './report-values.js';

/** A report as Markdown: the comparison table, the Pareto front in words, layer widths and each session's settings. */
export function markdownReport(input: ReportInput): string {
  const { comparison } = input;
  const table = (header: string[], rows: string[][], numeric: boolean[]) => [
    `| ${header.map(markdownCell).join(' | ')} |`,
    `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(markdownCell).join(' | ')} |`),
  ];
  const front = comparison.points.filter((p) => p.pareto).sort((a, b) => a.flops - b.flops);
  const sessions = comparison.rows.map((r) => `${r.sessionName} (${r.sessionId})`);
  const lines = [
    `# ${markdownCell(input.title)}`,
    '',
    `Made by Pruneflow on ${markdownCell(input.generated)}.${comparison.flopsConvention ? ` ${markdownCell(comparison.flopsConvention)}.` : ''}`,
    '',
    '## Sessions',
    '',
    ...table(
      TABLE_COLUMNS.map((c) => c.header),
      comparison.rows.map((row) => TABLE_COLUMNS.map((c) => c.cell(row))),
      TABLE_COLUMNS.map((c) => c.numeric),
    ),
    '',
    `Pareto front (most accurate for its FLOPs): ${front.length ? front.map((p) => markdownCell(p.label)).join(', ') : 'none'}.`,
    '',
    '## Kept channels per layer',
    '',
    ...(comparison.layers.length
      ? table(
          ['layer', ...sessions],
          comparison.layers.map((l) => [l.layer, ...l.kept.map((k, s) => (k === null ? '-' : `${k}/${l.baseline[s] ?? '-'}`))]),
          [false, ...sessions.map(() => true)],
        )
      : ['No layer widths recorded.']),
  ];
  for (const d of input.details) {
    lines.push(
      '',
      `## ${markdownCell(`${d.name} (${d.id})`)}`,
      '',
      `${markdownCell(d.project)}; started ${d.started}${d.finished ? `, finished ${d.finished}` : ''}${d.dataset ? `; data: ${markdownCell(d.dataset)}` : ''}`,
      '',
    );
    lines.push(...table(['setting', 'value'], d.settings, [false, false]), '');
    lines.push(`Pruning steps: ${d.steps.map((s) => `${s.step}: ${s.removed} channels from ${s.groups} groups`).join('; ') || 'none recorded'}.`, '');
    if (d.classes.length) {
      const rows = d.classes.map((c) => [c.name, String(c.images), percent(c.baseline), percent(c.pruned), points(c.change)]);
      lines.push('Top-1 accuracy per class:', '', ...table(['class', 'images', 'baseline', 'pruned', 'change'], rows, [false, true, true, true, true]), '');
    }
    lines.push(`Environment: ${d.environment.map(([k, v]) => `${markdownCell(k)} ${markdownCell(v)}`).join(', ')}.`);
    for (const w of d.warnings) lines.push('', `Warning: ${markdownCell(w)}`);
  }
  return `${lines.join('\n')}\n`;
}
