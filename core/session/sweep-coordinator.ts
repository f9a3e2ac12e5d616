import type { SerializedError } from '../api/contract.js';
import { expandSweep, type SweepEvent, type SweepJob, type SweepJobView, type SweepSpec, type SweepSummary, sweepIdOf } from '../api/sweep.js';
import type { Project, StoredSession } from '../project/project.js';
import { serializeProject } from '../project/project-codec.js';
import { ProjectNotFoundError } from '../project/project-errors.js';
import type { ProjectStore } from '../project/project-store.js';
import type { SweepJobOutcome, SweepMark } from './sweep-job.js';

/** What a sweep's executor is handed: its jobs, and the project as workers need it (no sessions). */
export interface SweepRun {
  sweepId: string;
  jobs: SweepJob[];
  /** The project without its sessions, as a .pruneflow file's bytes: baseline and data-set reference. */
  seed: Uint8Array;
  margin?: number;
}

/** How an executor reports back. Only the coordinator writes the project: executors hand results here. */
export interface ExecutorHooks {
  /** A job moved (queued, running on a worker, a progress line, a retry). */
  update(sessionId: string, change: Partial<SweepJobView>): void;
  /** A job's session is finished (or stopped early): written into the project before this resolves. */
  complete(outcome: SweepJobOutcome, worker?: string): Promise<void>;
  /** A job failed for good (retries spent) or was cancelled. */
  fail(sessionId: string, error: SerializedError, cancelled: boolean): void;
}

/**
 * Runs a sweep's jobs somewhere: worker threads here, or workers anywhere through a queue. `run`
 * resolves once every job is settled; `cancel` ends queued and running jobs.
 */
export interface SweepExecutor {
  readonly kind: 'local' | 'queue';
  run(sweep: SweepRun, hooks: ExecutorHooks): Promise<void>;
  /** The best accuracy after pruning at a cut changed: running jobs compare against it (early stop). */
  setBest(sweepId: string, cut: string, accuracy: number): Promise<void>;
  cancel(): Promise<void>;
  close(): Promise<void>;
}

export interface SweepCoordinatorOptions {
  store: ProjectStore;
  onEvent?: (event: SweepEvent) => void;
  signal?: AbortSignal;
}

export class SweepProjectError extends Error {
  override name = 'SweepProjectError';
}

/**
 * A sweep from spec to sessions in the project. Sessions already in the project (done, or stopped early)
 * are not run again; each result is written by this coordinator alone, one save at a time, through the
 * project store's atomic save; a result that arrives for a session already written is not written again.
 */
export async function runSweep(spec: SweepSpec, executor: SweepExecutor, options: SweepCoordinatorOptions): Promise<SweepSummary> {
  const started = performance.now();
  const { store } = options;
  const project = await store.load(spec.project);
  if (!project) {
    throw new ProjectNotFoundError(
      `${spec.project}: no such project file. A sweep starts from a project's baseline; make one first, ` +
        `e.g. pruneflow prune --model demo-cnn --data builtin:fashion-mnist --project ${spec.project}`,
    );
  }
  const jobs = await expandSweep(spec, { model: project.baseline.source, data: project.dataset.path });
  const sweepId = await sweepIdOf(spec.project, jobs);
  const views = new Map<string, SweepJobView>(jobs.map((j) => [j.sessionId, { sessionId: j.sessionId, name: j.name, status: 'queued' }]));
  const emit = (view: SweepJobView) => options.onEvent?.({ type: 'sweep-job', sweepId, job: view });
  const update = (sessionId: string, change: Partial<SweepJobView>) => {
    const view = views.get(sessionId);
    if (!view || isSettled(view)) return;
    const next = { ...view, ...change };
    views.set(sessionId, next);
    emit(next);
  };
  // The best accuracy after pruning per cut, over this sweep's finished sessions (early stop).
  const best = new Map<string, number>();
  const cutOf = new Map(jobs.map((j) => [j.sessionId, j.cut]));
  const todo: SweepJob[] = [];
  for (const job of jobs) {
    const present = project.sessions.find((s) => s.record.id === job.sessionId);
    if (present && isWritten(present)) {
      views.set(job.sessionId, { ...viewOf(present, job.sessionId, job.name), existing: true });
      notePruneOnly(best, job.cut, present);
    } else todo.push(job);
  }
  for (const view of views.values()) emit(view);
  let written = 0;
  let duplicates = 0;
  let saving = Promise.resolve();
  const hooks: ExecutorHooks = {
    update,
    complete: (outcome, worker) => {
      const run = saving.then(async () => {
        const wrote = await writeSession(store, spec.project, outcome.session);
        if (wrote) written++;
        else duplicates++;
        const cut = cutOf.get(outcome.sessionId);
        if (cut && notePruneOnly(best, cut, outcome.session)) await executor.setBest(sweepId, cut, best.get(cut)!);
        const view = views.get(outcome.sessionId);
        if (view && !isSettled(view)) {
          const next = {
            ...viewOf(outcome.session, outcome.sessionId, view.name),
            ...(worker && { worker }),
            ...(view.attempts && { attempts: view.attempts }),
          };
          views.set(outcome.sessionId, next);
          emit(next);
        }
      });
      saving = run.catch(() => undefined);
      return run;
    },
    fail: (sessionId, error, cancelled) => {
      const view = views.get(sessionId);
      if (!view || isSettled(view)) return;
      const next: SweepJobView = { ...view, status: cancelled ? 'cancelled' : 'failed', ...(!cancelled && { error }) };
      views.set(sessionId, next);
      emit(next);
    },
  };
  const onAbort = () => void executor.cancel();
  options.signal?.addEventListener('abort', onAbort);
  try {
    for (const [cut, accuracy] of best) await executor.setBest(sweepId, cut, accuracy);
    const { sessions: _sessions, ...rest } = project;
    const seed = await serializeProject({ ...rest, sessions: [] });
    if (todo.length > 0 && !options.signal?.aborted) await executor.run({ sweepId, jobs: todo, seed, margin: spec.earlyStop?.margin }, hooks);
    await saving;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  // Anything not settled by now (the executor stopped early on a cancel) counts as cancelled.
  for (const view of views.values()) if (!isSettled(view)) hooks.fail(view.sessionId, { name: 'SweepCancelledError', message: 'cancelled' }, true);
  const summary: SweepSummary = {
    sweepId,
    project: spec.project,
    executor: executor.kind,
    jobs: [...views.values()],
    written,
    duplicates,
    seconds: (performance.now() - started) / 1000,
  };
  options.onEvent?.({ type: 'sweep-done', sweepId, summary });
  return summary;
}

const isSettled = (view: SweepJobView) => !['queued', 'running'].includes(view.status);

function sweepMark(session: StoredSession): SweepMark | undefined {
  return session.record.sweep as SweepMark | undefined;
}

/** In the project for good: done, or stopped early by a sweep. */
function isWritten(session: StoredSession): boolean {
  return session.record.status === 'done' || sweepMark(session)?.outcome === 'stopped-early';
}

function pruneOnlyOf(session: StoredSession): number | undefined {
  return session.record.result?.pruneOnly.accuracy ?? session.record.checkpoint?.pruneOnlyAccuracy;
}

/** Counts a finished session's accuracy after pruning toward its cut's best; true when the best rose. */
function notePruneOnly(best: Map<string, number>, cut: string, session: StoredSession): boolean {
  if (session.record.status !== 'done') return false;
  const accuracy = pruneOnlyOf(session);
  if (accuracy === undefined || accuracy <= (best.get(cut) ?? -Infinity)) return false;
  best.set(cut, accuracy);
  return true;
}

function viewOf(session: StoredSession, sessionId: string, name: string): SweepJobView {
  const { result } = session.record;
  const stopped = sweepMark(session)?.outcome === 'stopped-early';
  const pruneOnlyAccuracy = pruneOnlyOf(session);
  return {
    sessionId,
    name,
    status: stopped ? 'stopped-early' : 'done',
    ...(pruneOnlyAccuracy !== undefined && { pruneOnlyAccuracy }),
    ...(result && {
      accuracy: result.pruned.accuracy,
      cut:
        1 -
        result.pruned[result.target.metric === 'flops' ? 'flops' : 'parameters'] / result.baseline[result.target.metric === 'flops' ? 'flops' : 'parameters'],
    }),
  };
}

/** Adds or replaces the session in the project file, unless the file already holds it finished. */
async function writeSession(store: ProjectStore, path: string, session: StoredSession): Promise<boolean> {
  const latest = await store.load(path);
  if (!latest) throw new SweepProjectError(`${path} is gone: it was moved or deleted while the sweep ran`);
  const present = latest.sessions.find((s) => s.record.id === session.record.id);
  if (present && isWritten(present)) return false;
  const sessions = present ? latest.sessions.map((s) => (s.record.id === session.record.id ? session : s)) : [...latest.sessions, session];
  const project: Project = { ...latest, modified: new Date().toISOString(), sessions };
  await store.save(path, project);
  return true;
}
