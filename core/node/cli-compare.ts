import type { Comparison } from '../api/comparison.js';
import { TABLE_COLUMNS } from '../report/report-input.js';
import type { ModelEvaluation } from '../session/evaluate-model.js';
import type { TrainOutcome } from '../session/train-model.js';

/** Columns padded to their widest cell; numbers right-aligned. */
export function aligned(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** What `pruneflow compare` prints: one row per session, the Pareto front, kept channels per layer. */
export function formatComparison(comparison: Comparison): string {
  const columns = TABLE_COLUMNS.filter((c) => c.header !== 'status' || comparison.rows.some((r) => r.status !== 'done'));
  const front = comparison.points.filter((p) => p.pareto).sort((a, b) => a.flops - b.flops);
  const sessions = comparison.rows.map((r) => r.sessionId);
  const lines = [
    aligned(
      columns.map((c) => c.header),
      comparison.rows.map((row) => columns.map((c) => c.cell(row))),
      columns.map((c) => c.numeric),
    ),
    '',
    `Pareto front (most accurate for its FLOPs): ${front.length ? front.map((p) => p.label).join(', ') : 'none'}`,
  ];
  if (comparison.layers.length) {
    lines.push(
      '',
      'kept channels per layer (kept/baseline):',
      aligned(
        ['layer', ...sessions],
        comparison.layers.map((l) => [l.layer, ...l.kept.map((k, s) => (k === null ? '-' : `${k}/${l.baseline[s] ?? '-'}`))]),
        [false, ...sessions.map(() => true)],
      ),
    );
  }
  if (comparison.flopsConvention) lines.push('', `${comparison.flopsConvention}.`);
  return lines.join('\n');
}

const percent = (x: number) => (Number.isNaN(x) ? '-' : `${(x * 100).toFixed(2)}%`);

/** What `pruneflow eval` prints: overall accuracy, then one line per class. */
export function formatEvaluation(e: ModelEvaluation): string {
  return [
    `${e.model} on ${e.dataset}: ${e.images} test images`,
    `top-1 accuracy: ${percent(e.top1)}${e.top5 === undefined ? '' : `; top-5: ${percent(e.top5)}`}`,
    `${(e.parameters / 1e3).toFixed(1)}k parameters, ${(e.flops / 1e6).toFixed(3)}M FLOPs`,
    '',
    aligned(
      ['class', 'images', 'accuracy'],
      e.perClass.map((c) => [c.name, String(c.images), percent(c.accuracy)]),
      [false, true, true],
    ),
    ...e.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}

/** What `pruneflow train` prints when it ends. */
export function formatTraining(t: TrainOutcome): string {
  return [
    `${t.model} on ${t.dataset}`,
    t.cancelled
      ? `cancelled after ${t.epochsDone} of ${t.epochs} epochs; saved the model as it stood`
      : `trained ${t.epochsDone} epoch${t.epochsDone === 1 ? '' : 's'}`,
    ...(t.accuracy === undefined ? [] : [`test accuracy: ${percent(t.accuracy)}${t.top5 === undefined ? '' : `; top-5: ${percent(t.top5)}`}`]),
    ...t.files.map((f) => `wrote ${f}`),
    `finished in ${t.seconds.toFixed(1)} s`,
  ].join('\n');
}
