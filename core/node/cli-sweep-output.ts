import type { SweepJobView, SweepSummary } from '../api/sweep.js';
import { aligned } from './cli-compare.js';

const pct = (share: number | undefined) => (share === undefined ? '-' : `${(share * 100).toFixed(1)}%`);

/** One progress line per change of a job's status or worker: "[2/4] sw-... name: running on thread 1". */
export function sweepProgressLine(job: SweepJobView, place: number, total: number): string {
  const where = job.status === 'running' && job.worker ? ` on ${job.worker}` : '';
  const tries = job.attempts && job.attempts > 1 ? ` (try ${job.attempts})` : '';
  const detail =
    job.status === 'failed'
      ? `: ${job.error?.name}: ${job.error?.message}`
      : job.status === 'done'
        ? `: ${pct(job.accuracy)} top-1${job.existing ? ' (already in the project)' : ''}`
        : job.status === 'stopped-early'
          ? `: ${pct(job.pruneOnlyAccuracy)} right after pruning${job.existing ? ' (already in the project)' : ''}`
          : job.status === 'queued' && job.message
            ? `: ${job.message}`
            : '';
  return `[${place}/${total}] ${job.sessionId} ${job.name}: ${job.status.replace('-', ' ')}${where}${tries}${detail}`;
}

/** The final table of `pruneflow sweep`. */
export function formatSweepSummary(summary: SweepSummary): string {
  const header = ['session', 'name', 'status', 'worker', 'pruned', 'fine-tuned', 'cut'];
  const rows = summary.jobs.map((j) => [
    j.sessionId,
    j.name,
    j.existing ? `${j.status} (before)` : j.status,
    j.worker ?? '-',
    pct(j.pruneOnlyAccuracy),
    pct(j.accuracy),
    pct(j.cut),
  ]);
  const count = (status: SweepJobView['status']) => summary.jobs.filter((j) => j.status === status).length;
  const failures = summary.jobs.filter((j) => j.status === 'failed').map((j) => `${j.sessionId}: ${j.error?.name}: ${j.error?.message}`);
  return [
    aligned(header, rows, [false, false, false, false, true, true, true]),
    '',
    `${summary.jobs.length} sessions (${summary.executor} executor, ${summary.seconds.toFixed(1)} s): ${count('done')} done, ${count('stopped-early')} ` +
      `stopped early, ${count('failed')} failed, ${count('cancelled')} cancelled; ${summary.written} written to ${summary.project}` +
      (summary.duplicates ? `, ${summary.duplicates} duplicate result${summary.duplicates === 1 ? '' : 's'} not written again` : ''),
    ...failures,
    `Compare them: pruneflow compare ${summary.project}`,
  ].join('\n');
}
