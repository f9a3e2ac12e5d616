import type { DemoResult, ModelSummary } from '../api/contract.js';

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
const millions = (x: number) => `${(x / 1e6).toFixed(3)}M`;
const thousands = (x: number) => `${(x / 1e3).toFixed(1)}k`;

/** The before/after table of the demo, aligned for a terminal. */
export function formatDemoTable(result: DemoResult): string {
  const rows: [string, (s: ModelSummary) => string, string][] = [
    ['top-1 accuracy', (s) => percent(s.accuracy), signed((result.pruned.accuracy - result.baseline.accuracy) * 100, ' pt')],
    ['parameters', (s) => thousands(s.parameters), ratio(result.pruned.parameters, result.baseline.parameters)],
    ['FLOPs (MACs)', (s) => millions(s.flops), ratio(result.pruned.flops, result.baseline.flops)],
    [`latency, batch ${result.baseline.latencyBatch}`, (s) => `${s.latencyMs.toFixed(1)} ms`, `${(result.baseline.latencyMs / result.pruned.latencyMs).toFixed(2)}x faster`],
  ];
  const table = [['', 'baseline', 'pruned', 'change'], ...rows.map(([name, get, change]) => [name, get(result.baseline), get(result.pruned), change])];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const lines = table.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('   '));
  const widthsLine = result.pruned.layerWidths.map((l, i) => `${l.name} ${result.baseline.layerWidths[i].channels}->${l.channels}`).join(', ');
  return [
    `Pruneflow demo: ${result.model}`,
    `data: ${result.dataset}`,
    `criterion: ${result.criterion}; backend: ${result.backend}`,
    '',
    ...lines,
    '',
    `accuracy right after pruning, before fine-tuning: ${percent(result.pruneOnly.accuracy)}`,
    `layer widths: ${widthsLine}`,
    `${result.flopsConvention}.`,
    `finished in ${result.seconds.toFixed(1)} s`,
  ].join('\n');
}

function signed(value: number, unit: string): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}${unit}`;
}

function ratio(after: number, before: number): string {
  return `${signed((after / before - 1) * 100, '%')}`;
}
