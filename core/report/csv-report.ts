import { csvText } from './escape.js';
import type { ReportInput } from './report-input.js';

/** The columns of the CSV report: raw numbers (fractions, FLOPs, milliseconds), for spreadsheets and scripts. */
export const CSV_HEADER = [
  'project',
  'session_id',
  'session_name',
  'status',
  'model',
  'criterion',
  'schedule',
  'target_metric',
  'target_reduction',
  'baseline_top1',
  'top1',
  'top1_change',
  'baseline_top5',
  'top5',
  'baseline_flops',
  'flops',
  'flops_change',
  'baseline_params',
  'params',
  'params_change',
  'baseline_latency_ms',
  'latency_ms',
  'latency_batch',
  'speedup',
  'seconds',
  'pareto',
  'speedup_q1',
  'speedup_q3',
  'speedup_runs',
  'speedup_uncertain',
  'flops_speedup_estimate',
];

/** One line per session (RFC 4180: CRLF, quoted where needed). */
export function csvReport(input: ReportInput): string {
  const { rows, points } = input.comparison;
  const pareto = new Set(points.filter((p) => p.pareto).map((p) => p.row));
  return csvText([
    CSV_HEADER,
    ...rows.map((r, i) => [
      r.project,
      r.sessionId,
      r.sessionName,
      r.status,
      r.model,
      r.criterion,
      r.schedule,
      r.target.metric,
      r.target.reduction,
      r.baseline?.accuracy,
      r.pruned?.accuracy,
      r.accuracyChange,
      r.baseline?.top5,
      r.pruned?.top5,
      r.baseline?.flops,
      r.pruned?.flops,
      r.flopsChange,
      r.baseline?.parameters,
      r.pruned?.parameters,
      r.parametersChange,
      r.baseline?.latencyMs,
      r.pruned?.latencyMs,
      r.pruned?.latencyBatch,
      r.speedup,
      r.seconds,
      r.pruned ? pareto.has(i) : undefined,
      r.speed?.speedup.q1,
      r.speed?.speedup.q3,
      r.speed?.speedup.runs,
      r.speed?.uncertain,
      r.baseline && r.pruned ? r.baseline.flops / r.pruned.flops : undefined,
    ]),
  ]);
}
