import type { PruneConfig } from '../api/contract.js';
import type { FlowData } from '../api/importance-flow.js';
import { findSession } from '../compare/select-sessions.js';
import { MODEL_ZOO } from '../models/zoo.js';
import type { HistoryStep, StoredModel } from '../project/project.js';
import { ProjectNotFoundError } from '../project/project-errors.js';
import { historyStep } from '../project/pruning-history.js';
import { openStoredModel, storeModel } from '../project/stored-model.js';
import type { RunRecorder } from './prune-run.js';
import { ProjectHostError } from './project-session.js';
import type { RunHost } from './run-inputs.js';
import { SessionFlowError, sessionFlowData } from './session-flow.js';

/** A built-in model that had no training before it was pruned: its weights are its random initialisation. */
export const untrainedBaseline = (source: string, trainEpochs: number) => trainEpochs === 0 && MODEL_ZOO.some((e) => e.id === source);

/** The flow of a session of a project file: its record's history on the project's baseline. */
export async function projectSessionFlow(path: string, sessionRef: string, host: Pick<RunHost, 'projects'>): Promise<FlowData> {
  if (!host.projects) throw new ProjectHostError('This engine host cannot read project files.');
  const project = await host.projects.load(path);
  if (!project) throw new ProjectNotFoundError(`${path}: no such project file`);
  const record = findSession(
    path,
    project.sessions.map((s) => s.record),
    sessionRef,
  );
  if (record.history.length === 0)
    throw new SessionFlowError(`Session ${record.id} (${record.name}) of ${path} removed no channels yet (${record.status}): there is no flow to show.`);
  return flowOf(project.baseline, record.history, record.config, { project: path, session: record.id, name: record.name });
}

/**
 * Keeps what the last run that saved into no project needs for its flow: its baseline (as a project would
 * store it) and its pruning steps. Only the last run's: an older one's flow needs its project.
 */
export class LiveFlows {
  #last: { task: string; config: PruneConfig; baseline?: StoredModel; history: HistoryStep[] } | undefined;

  /** The run's hooks that keep its baseline and steps (they replace an earlier run's). */
  recorder(task: string, config: PruneConfig): RunRecorder {
    const entry: { task: string; config: PruneConfig; baseline?: StoredModel; history: HistoryStep[] } = { task, config, history: [] };
    this.#last = entry;
    return {
      baseline: async (model) => void (entry.baseline = await storeModel(model, config.model, config.trainEpochs)),
      plan: (step, graph, plan, scores) => void entry.history.push(historyStep(step, graph, plan.keep, scores)),
    };
  }

  async flow(task: string): Promise<FlowData> {
    const entry = this.#last;
    if (!entry || entry.task !== task)
      throw new SessionFlowError(`The engine no longer holds run ${task}: only the last run's flow is kept. Save runs into a project to see their flow later.`);
    if (!entry.baseline || entry.history.length === 0) throw new SessionFlowError(`Run ${task} removed no channels: there is no flow to show.`);
    return flowOf(entry.baseline, entry.history, entry.config, { task, name: entry.config.sessionName ?? 'the last run' });
  }
}

async function flowOf(
  stored: StoredModel,
  history: readonly HistoryStep[],
  config: PruneConfig,
  session: { project?: string; session?: string; task?: string; name: string },
) {
  const baseline = await openStoredModel(stored);
  try {
    return await sessionFlowData({ baseline, history, config, untrained: untrainedBaseline(stored.source, stored.trainEpochs), session });
  } finally {
    baseline.dispose();
  }
}
