import type { Comparison, ModelExportFormat, ProjectSummary, ReportFormat, SessionRef } from '../api/comparison.js';
import type { ExportSessionOptions } from '../api/contract.js';
import { compareSessions } from '../compare/compare-sessions.js';
import { type ComparedSession, findSession, selectSessions } from '../compare/select-sessions.js';
import { exportModel } from '../models/io/export-model.js';
import type { Project } from '../project/project.js';
import { ProjectNotFoundError } from '../project/project-errors.js';
import { openSessionModel } from '../project/session-model.js';
import { renderReport } from '../report/render-report.js';
import { reportInput } from '../report/report-input.js';
import { ProjectHostError } from './project-session.js';
import type { RunHost } from './run-inputs.js';
import { recordStatus } from './session-status.js';

/** What project calls need from the host: project files, and writing files for exports and reports. */
export type ProjectHost = Pick<RunHost, 'projects' | 'writeFiles'>;

async function requireProject(path: string, host: ProjectHost): Promise<Project> {
  if (!host.projects) throw new ProjectHostError('This engine host cannot read project files.');
  const project = await host.projects.load(path);
  if (!project) throw new ProjectNotFoundError(`${path}: no such project file`);
  return project;
}

/** A project as the UI lists it: data set (and whether it is still there), baseline, sessions with their metrics. */
export async function openProject(path: string, host: ProjectHost): Promise<ProjectSummary> {
  const project = await requireProject(path, host);
  const found = await host.projects!.locateDataset(project).then(
    () => true,
    () => false,
  );
  const { path: dataPath, format, contentHash, files, bytes } = project.dataset;
  const measured = project.sessions.find((s) => s.record.result)?.record.result?.baseline;
  return {
    path,
    created: project.created,
    modified: project.modified,
    appVersion: project.appVersion,
    dataset: { path: dataPath, format, contentHash, files, bytes, found },
    baseline: {
      source: project.baseline.source,
      trainEpochs: project.baseline.trainEpochs,
      ...(measured && { accuracy: measured.accuracy, flops: measured.flops, parameters: measured.parameters }),
    },
    sessions: project.sessions.map(({ record }) => {
      const r = record.result;
      return {
        id: record.id,
        name: record.name,
        status: recordStatus(record),
        started: record.started,
        ...(record.finished && { finished: record.finished }),
        criterion: record.config.criterion,
        schedule: record.config.schedule,
        target: record.config.target,
        steps: record.history.length,
        removedChannels: record.history.reduce((n, step) => n + step.groups.reduce((m, g) => m + g.removed.length, 0), 0),
        ...(r && {
          metrics: {
            accuracy: r.pruned.accuracy,
            ...(r.pruned.top5 !== undefined && { top5: r.pruned.top5 }),
            flops: r.pruned.flops,
            parameters: r.pruned.parameters,
            latencyMs: r.pruned.latencyMs,
            seconds: r.seconds,
          },
          // Where it is in the project now (a copy made by Save As is another file).
          result: { ...r, project: { path, session: record.id } },
        }),
      };
    }),
  };
}

/** The sessions the references name, each project file read once, in the order given. */
export async function loadSessionRefs(refs: readonly SessionRef[], host: ProjectHost): Promise<ComparedSession[]> {
  const projects = new Map<string, Project>();
  const sessions: ComparedSession[] = [];
  for (const ref of refs) {
    if (!projects.has(ref.path)) projects.set(ref.path, await requireProject(ref.path, host));
    sessions.push(...selectSessions(ref.path, projects.get(ref.path)!, ref.session === undefined ? [] : [ref.session]));
  }
  // A session named twice (a file and one of its sessions) is one row.
  return sessions.filter((s, i) => sessions.findIndex((t) => t.project === s.project && t.record.id === s.record.id) === i);
}

export async function compareSessionRefs(refs: readonly SessionRef[], host: ProjectHost): Promise<Comparison> {
  return compareSessions(await loadSessionRefs(refs, host));
}

/** A report of a project's sessions (all of them when `sessionIds` is empty) as text. */
export async function buildReport(path: string, sessionIds: readonly string[], format: ReportFormat, host: ProjectHost, now = new Date()): Promise<string> {
  const sessions = selectSessions(path, await requireProject(path, host), sessionIds);
  const title = sessions.length === 1 ? `Pruneflow session ${sessions[0].record.name} (${sessions[0].record.id})` : `Pruneflow comparison: ${fileName(path)}`;
  return renderReport(reportInput(sessions, title, now.toISOString()), format);
}

/** Writes the report to `out` atomically; returns the path written. */
export async function writeReport(
  path: string,
  sessionIds: readonly string[],
  format: ReportFormat,
  out: string,
  host: ProjectHost,
): Promise<{ file: string }> {
  if (!host.writeFiles) throw new ProjectHostError('This engine host cannot write files.');
  const text = await buildReport(path, sessionIds, format, host);
  const [folder, name] = splitPath(out);
  const [file] = await host.writeFiles(folder, [{ name, bytes: new TextEncoder().encode(text) }]);
  return { file };
}

/** Replays a session on the project's baseline and writes the pruned, fine-tuned model to the folder `out`. */
export async function exportSession(
  path: string,
  sessionId: string,
  format: ModelExportFormat,
  out: string,
  host: ProjectHost,
  options: ExportSessionOptions = {},
): Promise<{ files: string[] }> {
  if (!host.writeFiles) throw new ProjectHostError('This engine host cannot write files.');
  const project = await requireProject(path, host);
  const record = findSession(
    path,
    project.sessions.map((s) => s.record),
    sessionId,
  );
  const model = await openSessionModel(
    project,
    project.sessions.find((s) => s.record === record)!,
  );
  try {
    return { files: await host.writeFiles(out, await exportModel(model, format, { foldBatchNorm: options.foldBatchNorm === true })) };
  } finally {
    model.dispose();
  }
}

function fileName(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path;
}

/** Folder and file name of a path, on any system (core has no node:path). */
function splitPath(path: string): [string, string] {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? ['.', path] : [path.slice(0, cut) || path.slice(0, 1), path.slice(cut + 1)];
}
