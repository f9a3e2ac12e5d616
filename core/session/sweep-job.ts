import type { PruneConfig } from '../api/contract.js';
import { stopsEarly, type SweepJob } from '../api/sweep.js';
import type { Project, StoredSession } from '../project/project.js';
import type { ProjectStore } from '../project/project-store.js';
import { openStoredModel } from '../project/stored-model.js';
import { environment, type ProjectSessionContext, runSavedSession } from './project-session.js';
import type { RunRecorder } from './prune-run.js';
import { SessionSaver, type SessionSaverOptions } from './session-saver.js';

/** What a worker sends back: the finished (or early-stopped) session, for the coordinator to write. */
export interface SweepJobOutcome {
  sessionId: string;
  status: 'done' | 'stopped-early';
  session: StoredSession;
}

/** The record's note of which sweep made it and how the job ended. */
export interface SweepMark {
  id: string;
  outcome: 'done' | 'stopped-early';
  /** For a session stopped early: its accuracy after pruning, the best it was compared with, and the margin. */
  pruneOnlyAccuracy?: number;
  best?: number;
  margin?: number;
}

export class SweepEarlyStopError extends Error {
  override name = 'SweepEarlyStopError';
}

export interface SweepJobContext extends ProjectSessionContext {
  /** The best accuracy after pruning among finished sessions at this cut, asked once the job's own is known. */
  bestAtCut?: (cut: string) => Promise<number | undefined>;
  margin?: number;
  /** The data set's path on this worker (default: the project's). */
  dataPath?: string;
}

/**
 * Runs one job of a sweep the way a project session runs, against a project held in memory: the
 * worker never writes the project file (the coordinator alone does, with the session this returns).
 * The session starts from the project's baseline; right after pruning, the early-stop rule may end it
 * (recorded as stopped early, with its checkpoint, so it can still be resumed by hand).
 */
export async function runSweepJob(job: SweepJob, sweepId: string, seed: Project, context: SweepJobContext): Promise<SweepJobOutcome> {
  let project: Project = { ...seed, sessions: [] };
  const store: ProjectStore = {
    load: async () => project,
    save: async (_path, next) => void (project = next),
    locateDataset: async () => undefined,
    checkDataset: async () => undefined,
    relinkDataset: async (p) => p,
  };
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  context.signal?.addEventListener('abort', onAbort);
  if (context.signal?.aborted) controller.abort();
  let stopped: SweepMark | undefined;
  const gate = async (accuracy: number) => {
    const best = await context.bestAtCut?.(job.cut);
    if (!stopsEarly(accuracy, best, context.margin)) return;
    stopped = { id: sweepId, outcome: 'stopped-early', pruneOnlyAccuracy: accuracy, best, margin: context.margin };
    controller.abort();
    throw new SweepEarlyStopError(
      `${job.name}: ${pct(accuracy)} after pruning, more than ${pct(context.margin ?? 0)} below the best at this cut (${pct(best ?? 0)})`,
    );
  };
  const record = {
    id: job.sessionId,
    name: job.name,
    config: job.config,
    status: 'running' as const,
    state: 'configured' as const,
    started: new Date().toISOString(),
    environment: environment(context),
    history: [],
    metrics: [],
    weightSpecs: [],
  };
  const saver = new EarlyStopSaver({ store, path: 'sweep', session: { record, weights: new Uint8Array(0) }, onState: context.onState }, gate);
  await saver.begin();
  const runConfig: PruneConfig = { ...job.config, ...(context.dataPath && { data: context.dataPath }) };
  try {
    await runSavedSession(
      runConfig,
      { ...context, signal: controller.signal, projects: store, loadBaseline: () => openStoredModel(seed.baseline) },
      saver,
      'sweep',
    );
  } catch (error) {
    if (!stopped) throw error;
  } finally {
    context.signal?.removeEventListener('abort', onAbort);
  }
  const session = project.sessions.find((s) => s.record.id === job.sessionId);
  if (!session) throw new Error(`${job.sessionId}: the session was not recorded`);
  const sweep: SweepMark = stopped ?? { id: sweepId, outcome: 'done' };
  // The stored config names the project's data set, whichever path this worker read it from.
  return { sessionId: job.sessionId, status: sweep.outcome, session: { ...session, record: { ...session.record, config: job.config, sweep } } };
}

/** The session saver, with the early-stop rule applied once the pruned model's accuracy is saved. */
class EarlyStopSaver extends SessionSaver {
  constructor(
    options: SessionSaverOptions,
    private readonly gate: (accuracy: number) => Promise<void>,
  ) {
    super(options);
  }

  override recorder(config: Pick<PruneConfig, 'model' | 'trainEpochs'>): RunRecorder {
    const inner = super.recorder(config);
    return {
      ...inner,
      prunedUntuned: async (model, accuracy) => {
        await inner.prunedUntuned?.(model, accuracy);
        await this.gate(accuracy);
      },
    };
  }
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
