import type { Comparison, ComparisonRow, LayerWidthRow, ParetoPoint, RowMetrics } from '../api/comparison.js';
import type { ModelSummary } from '../api/contract.js';
import { paretoFlags } from './pareto.js';
import type { ComparedSession } from './select-sessions.js';
import { recordStatus } from '../session/session-status.js';

/**
 * Sessions of one or several projects side by side: one row each, the accuracy-versus-FLOPs points with
 * the Pareto front flagged (sessions only; baselines are reference points), and kept channels per layer.
 */
export function compareSessions(sessions: readonly ComparedSession[]): Comparison {
  const rows = sessions.map(comparisonRow);
  return {
    rows,
    points: paretoPoints(rows),
    layers: layerWidths(sessions),
    flopsConvention: sessions.find((s) => s.record.result)?.record.result?.flopsConvention,
  };
}

function comparisonRow({ project, record }: ComparedSession): ComparisonRow {
  const { config, result } = record;
  const row: ComparisonRow = {
    project,
    sessionId: record.id,
    sessionName: record.name,
    status: recordStatus(record),
    criterion: config.criterion,
    schedule: config.schedule,
    target: config.target,
    model: result?.model ?? config.model,
  };
  if (!result) return row;
  const { baseline, pruned } = result;
  return {
    ...row,
    baseline: metrics(baseline),
    pruned: metrics(pruned),
    accuracyChange: pruned.accuracy - baseline.accuracy,
    flopsChange: pruned.flops / baseline.flops - 1,
    parametersChange: pruned.parameters / baseline.parameters - 1,
    speedup: result.speed?.speedup.median ?? baseline.latencyMs / pruned.latencyMs,
    ...(result.speed && { speed: result.speed }),
    seconds: result.seconds,
  };
}

function metrics(summary: ModelSummary): RowMetrics {
  const { accuracy, top5, flops, parameters, latencyMs, latencyBatch } = summary;
  return { accuracy, ...(top5 !== undefined && { top5 }), flops, parameters, latencyMs, latencyBatch };
}

function paretoPoints(rows: readonly ComparisonRow[]): ParetoPoint[] {
  const measured = rows.flatMap((row, index) =>
    row.pruned ? [{ row: index, label: `${row.sessionName} (${row.sessionId})`, accuracy: row.pruned.accuracy, flops: row.pruned.flops }] : [],
  );
  const front = paretoFlags(measured);
  const sessions = measured.map((p, i) => ({ ...p, pareto: front[i], baseline: false }));
  // One reference point per distinct baseline (sessions of one project share theirs).
  const baselines = new Map<string, ParetoPoint>();
  for (const row of rows) {
    if (!row.baseline) continue;
    const key = `${row.project}\0${row.baseline.accuracy}\0${row.baseline.flops}`;
    if (!baselines.has(key))
      baselines.set(key, {
        row: -1,
        label: `baseline of ${row.project}`,
        accuracy: row.baseline.accuracy,
        flops: row.baseline.flops,
        pareto: false,
        baseline: true,
      });
  }
  return [...sessions, ...baselines.values()];
}

/** Layers in the order the first model that has them lists them; null where a session's model lacks one. */
function layerWidths(sessions: readonly ComparedSession[]): LayerWidthRow[] {
  const widths = (list: ModelSummary['layerWidths'] | undefined) => new Map((list ?? []).map((l) => [l.name, l.channels]));
  const baselines = sessions.map((s) => widths(s.record.result?.baseline.layerWidths));
  const pruned = sessions.map((s) => widths(s.record.result?.pruned.layerWidths));
  const names = [...new Set(baselines.flatMap((m) => [...m.keys()]))];
  return names.map((layer) => ({
    layer,
    baseline: baselines.map((m) => m.get(layer) ?? null),
    kept: pruned.map((m) => m.get(layer) ?? null),
  }));
}
