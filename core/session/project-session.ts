import * as tf from '@tensorflow/tfjs-core';
import type { PruneConfig, PruneResult, TaskProgress } from '../api/contract.js';
import { builtinSampleTree } from '../data/builtin-sample.js';
import { detectDatasetFormat } from '../data/formats/index.js';
import { hashFileTree } from '../project/dataset-hash.js';
import type { DatasetRef, HistoryStep, Project, SessionRecord, StoredModel, StoredSession } from '../project/project.js';
import { historyStep } from '../project/pruning-history.js';
import { modelWeights, openStoredModel, storeModel } from '../project/stored-model.js';
import { PRUNEFLOW_VERSION } from '../version.js';
import { type RunContext, type RunRecorder, runPruning } from './prune-run.js';
import { BUILTIN_DATA, type RunHost } from './run-inputs.js';

export interface ProjectSessionContext extends RunContext {
  /** Which host runs it (cli, electron, browser), for the session's environment. */
  host: string;
}

/** A session that cannot start from the project's baseline (another model was asked for). */
export class ProjectBaselineError extends Error {
  override name = 'ProjectBaselineError';
}

export class ProjectHostError extends Error {
  override name = 'ProjectHostError';
}

/**
 * A pruning run saved as a session of a project file. A new project takes this run's data set and its
 * (trained) baseline; an existing one lends its baseline, so every session of a project starts from the
 * same model and its history replays on it. Nothing is written unless the run finishes; a damaged
 * project file fails before any work and is left as it is.
 */
export async function runProjectSession(config: PruneConfig & { project: string }, context: ProjectSessionContext): Promise<PruneResult> {
  const store = context.projects;
  if (!store) throw new ProjectHostError('This engine host cannot read or write project files.');
  const started = new Date().toISOString();
  const existing = await store.load(config.project);
  let project: Project | undefined = existing;
  let runConfig = config;
  if (existing) {
    const { source, trainEpochs } = existing.baseline;
    if (config.model !== source) {
      throw new ProjectBaselineError(`${config.project} starts every session from its baseline, made from ${source}; leave out the model (or give ${source}), not ${config.model}`);
    }
    // The baseline is trained already: its training is part of the project, not of this session.
    runConfig = { ...config, trainEpochs: 0 };
    context.onProgress?.({ stage: 'loading', step: 0, total: 0, message: `Starting from the project's baseline (${source}, trained ${trainEpochs} epoch${trainEpochs === 1 ? '' : 's'})` });
    if (config.data === existing.dataset.path) await store.locateDataset(existing);
    else project = await store.relinkDataset(existing, config.data);
  }
  const dataset = project?.dataset ?? (await datasetRef(config.data, context));

  const steps: HistoryStep[] = [];
  const metrics: TaskProgress[] = [];
  let baseline: StoredModel | undefined;
  let weights: Awaited<ReturnType<typeof modelWeights>> | undefined;
  const recorder: RunRecorder = {
    baseline: existing ? undefined : async (model) => void (baseline = await storeModel(model, config.model, config.trainEpochs)),
    plan: (step, graph, plan, scores) => steps.push(historyStep(step, graph, plan.keep, scores)),
    pruned: async (model) => void (weights = await modelWeights(model)),
  };
  const result = await runPruning(runConfig, {
    ...context,
    loadBaseline: existing && (() => openStoredModel(existing.baseline)),
    recorder,
    onProgress: (progress) => {
      if (progress.metrics) metrics.push(progress);
      context.onProgress?.(progress);
    },
  });

  const now = new Date().toISOString();
  // Sessions another process added to the project during this run stay: append to the file as it is now.
  const latest = await store.load(config.project);
  if (latest && !existing) throw new ProjectBaselineError(`${config.project} was made by another run while this one ran; this session was not saved`);
  project = latest && project ? { ...latest, dataset: project.dataset } : project;
  project ??= { created: now, modified: now, appVersion: PRUNEFLOW_VERSION, dataset, baseline: baseline!, sessions: [], unknown: { manifest: {}, project: {}, parts: new Map() } };
  const { project: _path, ...storedConfig } = runConfig;
  const record: SessionRecord = {
    id: nextSessionId(project.sessions),
    name: config.sessionName ?? `${config.criterion}, ${config.schedule}, ${Math.round(config.target.reduction * 100)}% ${config.target.metric}`,
    config: storedConfig,
    status: 'done',
    started,
    finished: now,
    environment: environment(context),
    history: steps,
    metrics,
    result,
    weightSpecs: weights!.specs,
  };
  const session: StoredSession = { record, weights: weights!.data };
  await store.save(config.project, { ...project, modified: now, sessions: [...project.sessions, session] });
  return { ...result, project: { path: config.project, session: record.id } };
}

/** s1, s2, ...: short, so a command line can name them. */
function nextSessionId(sessions: readonly StoredSession[]): string {
  const numbers = sessions.map((s) => /^s(\d+)$/.exec(s.record.id)?.[1]).map(Number).filter(Number.isFinite);
  return `s${Math.max(0, ...numbers) + 1}`;
}

/** The data set's place, format and content hash, for a new project. */
async function datasetRef(path: string, host: RunHost): Promise<DatasetRef> {
  if (path === BUILTIN_DATA) return { path, format: 'builtin', ...(await hashFileTree(await builtinSampleTree(host.readAsset))) };
  if (!host.openDataSource) throw new ProjectHostError('This engine host cannot open data sets by path.');
  const tree = await host.openDataSource(path);
  return { path, format: detectDatasetFormat(tree.label, await tree.list()).id, ...(await hashFileTree(tree)) };
}

function environment(context: ProjectSessionContext): SessionRecord['environment'] {
  const described = context.describeEnvironment?.() ?? { machine: {}, versions: {} };
  return {
    backend: context.backend,
    host: context.host,
    machine: described.machine,
    versions: { pruneflow: PRUNEFLOW_VERSION, tfjs: tf.version_core, ...described.versions },
  };
}
