import type { Comparison, ComparisonRow } from '../api/comparison.js';
import { criterionName } from '../api/catalog.js';
import { compareSessions } from '../compare/compare-sessions.js';
import type { ComparedSession } from '../compare/select-sessions.js';
import type { SessionRecord } from '../project/project.js';
import { type ClassRow, classRows } from '../api/class-rows.js';
import { settingsRows } from './settings-rows.js';
import { kiloParams, megaFlops, milliseconds, percent, change, points, seconds, speedup, target } from './report-values.js';

/** Everything a report shows; the renderers only lay it out. */
export interface ReportInput {
  title: string;
  /** When the report was made (ISO 8601): given, so one input always renders the same bytes. */
  generated: string;
  comparison: Comparison;
  details: SessionDetail[];
}

/** One session's settings, environment and pruning steps, beside its row. */
export interface SessionDetail {
  project: string;
  id: string;
  name: string;
  dataset?: string;
  started: string;
  finished?: string;
  settings: [string, string][];
  environment: [string, string][];
  steps: { step: number; groups: number; removed: number }[];
  /** Top-1 accuracy per class, baseline and pruned (empty for sessions saved before it was counted). */
  classes: ClassRow[];
  warnings: string[];
}

export function reportInput(sessions: readonly ComparedSession[], title: string, generated: string): ReportInput {
  return { title, generated, comparison: compareSessions(sessions), details: sessions.map(({ project, record }) => sessionDetail(project, record)) };
}

function sessionDetail(project: string, record: SessionRecord): SessionDetail {
  // A run without a rounding chose one: the report says which.
  const settings = settingsRows({ ...record.config, roundTo: record.config.roundTo ?? record.result?.roundTo });
  const { machine, versions, backend, host } = record.environment;
  return {
    project,
    id: record.id,
    name: record.name,
    dataset: record.result?.dataset,
    started: record.started,
    finished: record.finished,
    settings,
    environment: [['backend', backend], ['host', host], ...Object.entries(machine ?? {}), ...Object.entries(versions ?? {})],
    steps: record.history.map((s) => ({ step: s.step, groups: s.groups.length, removed: s.groups.reduce((n, g) => n + g.removed.length, 0) })),
    classes: classRows(record.result),
    warnings: record.result?.warnings ?? [],
  };
}

/** "1.49x (1.40-1.55, 11 runs)", "uncertain" when the paired runs spread widely; old sessions show their one ratio. */
function measuredSpeedup(r: ComparisonRow): string {
  if (!r.speed) return speedup(r.speedup);
  const { median, q1, q3, runs } = r.speed.speedup;
  return `${speedup(median)} (${q1.toFixed(2)}-${q3.toFixed(2)}, ${runs} runs${r.speed.uncertain ? ', uncertain' : ''})`;
}

/** The columns of the comparison table, shared by the HTML and Markdown reports. */
export const TABLE_COLUMNS: { header: string; numeric: boolean; cell: (row: ComparisonRow) => string }[] = [
  { header: 'project', numeric: false, cell: (r) => r.project },
  { header: 'session', numeric: false, cell: (r) => `${r.sessionName} (${r.sessionId})` },
  { header: 'status', numeric: false, cell: (r) => r.status },
  { header: 'criterion', numeric: false, cell: (r) => criterionName(r.criterion) },
  { header: 'schedule', numeric: false, cell: (r) => r.schedule },
  { header: 'target', numeric: false, cell: (r) => target(r.target) },
  { header: 'baseline top-1', numeric: true, cell: (r) => percent(r.baseline?.accuracy) },
  { header: 'top-1', numeric: true, cell: (r) => percent(r.pruned?.accuracy) },
  { header: 'vs baseline', numeric: true, cell: (r) => points(r.accuracyChange) },
  { header: 'top-5', numeric: true, cell: (r) => percent(r.pruned?.top5) },
  { header: 'FLOPs', numeric: true, cell: (r) => megaFlops(r.pruned?.flops) },
  { header: 'FLOPs change', numeric: true, cell: (r) => change(r.flopsChange) },
  { header: 'params', numeric: true, cell: (r) => kiloParams(r.pruned?.parameters) },
  { header: 'params change', numeric: true, cell: (r) => change(r.parametersChange) },
  { header: 'latency', numeric: true, cell: (r) => milliseconds(r.pruned?.latencyMs) },
  { header: 'speed-up (measured)', numeric: true, cell: (r) => measuredSpeedup(r) },
  { header: 'speed-up (estimate from FLOPs)', numeric: true, cell: (r) => (r.baseline && r.pruned ? speedup(r.baseline.flops / r.pruned.flops) : '-') },
  { header: 'time', numeric: true, cell: (r) => seconds(r.seconds) },
];
