import * as tf from '@tensorflow/tfjs-core';
import type { PruneConfig, PruneResult } from '../api/contract.js';
import { builtinSampleTree } from '../data/builtin-sample.js';
import { detectDatasetFormat } from '../data/formats/index.js';
import { hashFileTree } from '../project/dataset-hash.js';
import type { DatasetRef, SessionRecord } from '../project/project.js';
import { openStoredModel } from '../project/stored-model.js';
import { PRUNEFLOW_VERSION } from '../version.js';
import { defaultSessionName } from './session-name.js';
import { type RunContext, runPruning } from './prune-run.js';
import { BUILTIN_DATA, type RunHost } from './run-inputs.js';
import { nextSessionId, ProjectBaselineError, SessionSaver } from './session-saver.js';

export interface ProjectSessionContext extends RunContext {
  /** Which host runs it (cli, electron, browser), for the session's environment. */
  host: string;
}

export { ProjectBaselineError };

export class ProjectHostError extends Error {
  override name = 'ProjectHostError';
}

/**
 * A pruning run saved as a session of a project file. A new project takes this run's data set and its
 * (trained) baseline; an existing one lends its baseline, so every session of a project starts from the
 * same model and its history replays on it. The session is saved as it goes (session-saver.ts): its
 * state, and a checkpoint after the baseline is evaluated, after pruning and after every training epoch,
 * so `resumeProjectSession` can finish it after a crash or a cancel. A damaged project file fails before
 * any work and is left as it is.
 */
export async function runProjectSession(config: PruneConfig & { project: string }, context: ProjectSessionContext): Promise<PruneResult> {
  const store = context.projects;
  if (!store) throw new ProjectHostError('This engine host cannot read or write project files.');
  const started = new Date().toISOString();
  const existing = await store.load(config.project);
  let runConfig = config;
  if (existing) {
    const { source, trainEpochs } = existing.baseline;
    if (config.model !== source) {
      throw new ProjectBaselineError(
        `${config.project} starts every session from its baseline, made from ${source}; leave out the model (or give ${source}), not ${config.model}`,
      );
    }
    const training = existing.sessions.find((s) => s.record.config.trainEpochs > 0 && s.record.state === 'configured' && s.record.status !== 'done');
    if (training) {
      throw new ProjectBaselineError(
        `${config.project}: session ${training.record.id} has not finished training the baseline; ` +
          `finish it first with: pruneflow resume ${config.project} --session ${training.record.id}`,
      );
    }
    // The baseline is trained already: its training is part of the project, not of this session.
    runConfig = { ...config, trainEpochs: 0 };
    context.onProgress?.({
      stage: 'loading',
      step: 0,
      total: 0,
      message: `Starting from the project's baseline (${source}, trained ${trainEpochs} epoch${trainEpochs === 1 ? '' : 's'})`,
    });
    if (config.data !== existing.dataset.path) {
      // The project file keeps pointing at the data set's new place from now on.
      await store.save(config.project, await store.relinkDataset(existing, config.data));
    } else await store.checkDataset(existing);
  }
  const dataset = existing ? undefined : await datasetRef(config.data, context);
  const { project: _path, ...storedConfig } = runConfig;
  const record: SessionRecord = {
    id: nextSessionId(existing?.sessions ?? []),
    name: config.sessionName ?? defaultSessionName(config, existing?.sessions.map((s) => s.record.name) ?? []),
    config: storedConfig,
    status: 'running',
    state: 'configured',
    started,
    environment: environment(context),
    history: [],
    metrics: [],
    weightSpecs: [],
  };
  const saver = new SessionSaver({
    store,
    path: config.project,
    session: { record, weights: new Uint8Array(0) },
    newProject: dataset && { dataset, source: config.model, trainEpochs: config.trainEpochs },
    trainsBaseline: !existing,
    onState: context.onState,
    onSaved: (message) => context.onProgress?.({ stage: 'checkpoint', step: 0, total: 0, message }),
  });
  await saver.begin();
  return runSavedSession(runConfig, { ...context, loadBaseline: existing && (() => openStoredModel(existing.baseline)) }, saver, config.project);
}

/** Runs a session whose saver keeps the project file current, to the end or to its last checkpoint. */
export async function runSavedSession(config: PruneConfig, context: ProjectSessionContext, saver: SessionSaver, path: string): Promise<PruneResult> {
  let result: PruneResult;
  try {
    result = await runPruning(config, {
      ...context,
      machine: saver.machine,
      recorder: saver.recorder(config),
      onProgress: (progress) => {
        saver.progress(progress);
        context.onProgress?.(progress);
      },
    });
  } catch (error) {
    // The record says how it ended and keeps its last checkpoint; the run's own error is what the caller sees.
    await saver.stop(error, Boolean(context.signal?.aborted)).catch(() => false);
    throw error;
  }
  const { project: _project, ...stored } = result;
  await saver.finish(stored);
  return { ...result, project: { path, session: saver.record.id } };
}

/** The data set's place, format and content hash, for a new project. */
async function datasetRef(path: string, host: RunHost): Promise<DatasetRef> {
  if (path === BUILTIN_DATA) return { path, format: 'builtin', ...(await hashFileTree(await builtinSampleTree(host.readAsset))) };
  if (!host.openDataSource) throw new ProjectHostError('This engine host cannot open data sets by path.');
  const tree = await host.openDataSource(path);
  return { path, format: detectDatasetFormat(tree.label, await tree.list()).id, ...(await hashFileTree(tree)) };
}

export function environment(context: ProjectSessionContext): SessionRecord['environment'] {
  const described = context.describeEnvironment?.() ?? { machine: {}, versions: {} };
  return {
    backend: context.backend,
    host: context.host,
    machine: described.machine,
    versions: { pruneflow: PRUNEFLOW_VERSION, tfjs: tf.version_core, ...described.versions },
  };
}
