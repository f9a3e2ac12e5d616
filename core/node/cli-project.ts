import { isAbsolute, resolve } from 'node:path';
import type { Project } from '../project/project.js';
import { BUILTIN_DATA } from '../session/run-inputs.js';
import { resumeHint, shownStatus } from '../session/session-status.js';
import { loadProjectFile, locateDataset, nodeProjectStore } from './project-file.js';

/** What `pruneflow project info --json` prints. */
export interface ProjectInfo {
  file: string;
  created: string;
  modified: string;
  savedBy: string;
  dataset: Project['dataset'] & { found: boolean };
  baseline: { source: string; trainEpochs: number; bytes: number };
  sessions: SessionInfo[];
}

export interface SessionInfo {
  id: string;
  name: string;
  status: string;
  /** The state machine's state (session-state.ts) and, while unfinished, the last checkpoint and how to go on. */
  state?: string;
  checkpoint?: { state: string; saved: string; training?: string; epoch?: number; epochs?: number };
  resume?: string;
  criterion: string;
  schedule: string;
  target: { metric: string; reduction: number };
  steps: number;
  removedChannels: number;
  metricsRecorded: number;
  environment: { backend: string; host: string };
  result?: {
    baseline: { accuracy: number; parameters: number; flops: number; latencyMs: number };
    pruned: { accuracy: number; parameters: number; flops: number; latencyMs: number };
    pruneOnlyAccuracy: number;
    seconds: number;
  };
}

export async function projectInfo(file: string): Promise<ProjectInfo> {
  const project = await loadProjectFile(file);
  const found = await locateDataset(project).then(
    () => true,
    () => false,
  );
  return {
    file,
    created: project.created,
    modified: project.modified,
    savedBy: `Pruneflow ${project.appVersion}`,
    dataset: { ...project.dataset, found },
    baseline: { source: project.baseline.source, trainEpochs: project.baseline.trainEpochs, bytes: project.baseline.weights.length },
    sessions: project.sessions.map(({ record }) => {
      const r = record.result;
      const summary = (s: NonNullable<typeof r>['baseline']) => ({ accuracy: s.accuracy, parameters: s.parameters, flops: s.flops, latencyMs: s.latencyMs });
      return {
        id: record.id,
        name: record.name,
        // This process runs no task: a session saved as running was interrupted.
        status: shownStatus(record),
        ...(record.state && { state: record.state }),
        ...(record.checkpoint && {
          checkpoint: {
            state: record.checkpoint.state,
            saved: record.checkpoint.saved,
            ...(record.checkpoint.training && {
              training: record.checkpoint.training.stage,
              epoch: record.checkpoint.training.epoch,
              epochs: record.checkpoint.training.epochs,
            }),
          },
        }),
        ...(resumeHint(file, record) && { resume: resumeHint(file, record) }),
        criterion: record.config.criterion,
        schedule: record.config.schedule,
        target: record.config.target,
        steps: record.history.length,
        removedChannels: record.history.reduce((n, step) => n + step.groups.reduce((m, g) => m + g.removed.length, 0), 0),
        metricsRecorded: record.metrics.length,
        environment: { backend: record.environment.backend, host: record.environment.host },
        result: r && { baseline: summary(r.baseline), pruned: summary(r.pruned), pruneOnlyAccuracy: r.pruneOnly.accuracy, seconds: r.seconds },
      };
    }),
  };
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
const change = (after: number, before: number) => `${after <= before ? '' : '+'}${((after / before - 1) * 100).toFixed(1)}%`;

/** What `pruneflow project info` prints: data set, baseline, one row per session. */
export function formatProjectInfo(info: ProjectInfo): string {
  const { dataset } = info;
  const rows = info.sessions.map((s) => [
    s.id,
    s.name,
    s.status,
    s.result ? percent(s.result.baseline.accuracy) : '-',
    s.result ? percent(s.result.pruned.accuracy) : '-',
    s.result ? change(s.result.pruned.flops, s.result.baseline.flops) : '-',
    s.result ? change(s.result.pruned.parameters, s.result.baseline.parameters) : '-',
    String(s.steps),
    s.result ? `${s.result.seconds.toFixed(0)} s` : '-',
  ]);
  const header = ['id', 'name', 'status', 'baseline', 'pruned', 'FLOPs', 'params', 'steps', 'time'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    `${info.file} (saved ${info.modified} by ${info.savedBy})`,
    `data set: ${dataset.path} (${dataset.format}, ${dataset.files} files, ${(dataset.bytes / 2 ** 20).toFixed(1)} ` +
      `MiB, ${dataset.contentHash})${dataset.found ? '' : ' -- NOT FOUND: moved or deleted'}`,
    `baseline: ${info.baseline.source}, ${describeTraining(
      info.baseline.trainEpochs,
      info.sessions.find((s) => s.checkpoint?.training === 'training'),
    )}`,
    '',
    info.sessions.length === 0 ? 'no sessions' : [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'),
    ...info.sessions.filter((s) => s.resume).map((s) => `${s.id} is ${s.status}${describeCheckpoint(s.checkpoint)}; go on with: ${s.resume}`),
  ].join('\n');
}

function describeCheckpoint(checkpoint: SessionInfo['checkpoint']): string {
  if (!checkpoint) return ', with no checkpoint yet';
  return (
    `, last checkpoint ${checkpoint.training ? `${checkpoint.training} epoch ${checkpoint.epoch}/${checkpoint.epochs}` : checkpoint.state} ` +
    `(${checkpoint.saved})`
  );
}

/**
 * `prune --project FILE` without --model or --data: the project's baseline and data set. Paths are
 * made absolute, so the project finds its data set from any working folder.
 */
export async function projectRunDefaults(file: string, given: { model?: string; data?: string }): Promise<{ model?: string; data?: string }> {
  const existing = await nodeProjectStore.load(file);
  const data = given.data ?? existing?.dataset.path;
  return {
    model: given.model ?? existing?.baseline.source,
    data: data === undefined || data === BUILTIN_DATA || isAbsolute(data) ? data : resolve(data),
  };
}

/** Points a project at its data set's new place (`resume --data`), once the content hash matches. */
export async function relinkProjectDataset(file: string, data: string): Promise<void> {
  const project = await loadProjectFile(file);
  const path = data === BUILTIN_DATA || isAbsolute(data) ? data : resolve(data);
  if (path !== project.dataset.path) await nodeProjectStore.save(file, await nodeProjectStore.relinkDataset(project, path));
}

function describeTraining(epochs: number, training?: SessionInfo): string {
  if (training) return `in training: epoch ${training.checkpoint!.epoch} of ${epochs} done by session ${training.id}, which is ${training.status}`;
  return epochs === 0 ? 'used as it was given (no training)' : `trained ${epochs} epoch${epochs === 1 ? '' : 's'} by the project's first session`;
}
