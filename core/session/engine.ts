import * as tf from '@tensorflow/tfjs-core';
import { modelInputContract } from '../models/input-contract.js';
import type { EngineApi, EngineEvent, EngineInfo, PruneConfig, PruneResult, SensitivityReport, SessionState } from '../api/contract.js';
import { demoOptionsSchema, pruneConfigSchema } from '../api/run-options.js';
import { checkedEngine } from '../api/validate-call.js';
import type { BackendCandidate, BackendReport } from '../backend/backend-report.js';
import { type BackendPreference, selectBackend } from '../backend/select-backend.js';
import { defaultTrainEpochs } from '../api/catalog.js';
import { serializeError } from '../api/errors.js';
import { demoConfig } from './demo.js';
import { refuseOverwrite } from './export-target.js';
import { runPruning } from './prune-run.js';
import { type ProjectSessionContext, runProjectSession } from './project-session.js';
import { resumeProjectSession } from './resume-session.js';
import { runSensitivity } from './sensitivity-run.js';
import type { RunHost } from './run-inputs.js';
import { openDataset } from '../data/formats/index.js';
import { previewDataset } from '../data/preview.js';
import { buildChannelGraph } from '../graph/channel-graph.js';
import { modelReport } from '../graph/preflight.js';
import { loadModel } from './model-source.js';
import { importanceFlow } from './importance-flow.js';
import { criteriaRefusing } from '../importance/registry.js';
import { LiveFlows, projectSessionFlow } from './session-flow-sources.js';
import { PRUNEFLOW_VERSION } from '../version.js';
import { PauseGate } from '../train/pause-gate.js';
import { compareSessionRefs, exportSession, openProject, writeReport } from './project-calls.js';
import type { FolderListing } from '../api/contract.js';
import { FASHION_MNIST_CLASSES, loadBuiltinSample } from '../data/builtin-sample.js';
import { BUILTIN_DATA } from './run-inputs.js';
import { estimateCut } from './cut-estimate.js';
import type { RecentProjectStore } from '../project/project-store.js';
import { recentProjects, remember, saveProject, saveProjectAs } from './project-save.js';
import { checkRunTargets, cleanSessionName } from './write-targets.js';
import { ForwardChooser } from '../backend/forward-runner.js';
import type { SweepApi } from '../api/sweep.js';

/** A host gives the engine its backends and its files (see RunHost: assets, data, models, export). */
export interface EngineOptions extends RunHost {
  host: EngineInfo['host'];
  /** Backends this host can offer, best first (Node adds tfjs-node; a browser worker only wasm and cpu). */
  candidates: readonly BackendCandidate[];
  backendPreference?: BackendPreference;
  /** Lists a folder for the UI's file browser (hosts with a file system). */
  listFolder?(path: string): Promise<FolderListing>;
  /** Where recently opened and saved projects are listed (hosts with a settings folder). */
  recent?: RecentProjectStore;
  /** Runs sweeps of sessions in worker threads or through a job queue (Node hosts). */
  sweeps?: SweepApi;
}

export class TaskBusyError extends Error {
  override name = 'TaskBusyError';
}

export class HostCapabilityError extends Error {
  override name = 'HostCapabilityError';
}

/** The engine behind every host: one task at a time, events to every subscriber. */
export function createEngine(options: EngineOptions): EngineApi {
  const listeners = new Set<(event: EngineEvent) => void>();
  const running = new Map<string, { controller: AbortController; gate: PauseGate }>();
  let backend: Promise<BackendReport> | undefined;
  let nextTask = 1;
  // The last run that saved into no project keeps what its importance flow needs.
  const liveFlows = new LiveFlows();

  const emit = (event: EngineEvent) => {
    for (const listener of listeners) listener(event);
  };
  options.sweeps?.onSweepEvent((sweep) => emit({ type: 'sweep', taskId: sweep.sweepId, sweep }));
  const sweeps = () => {
    if (!options.sweeps) throw new HostCapabilityError('Sweeps run sessions on files: they need the desktop app or `pruneflow serve`.');
    return options.sweeps;
  };
  // The report says which engine runs forward-only work too (ONNX Runtime, or tfjs and why).
  const ready = () =>
    (backend ??= selectBackend(options.candidates, options.backendPreference).then(async (report) => ({
      ...report,
      details: [...report.details, await new ForwardChooser(options.forwardEngine).describe()],
    })));

  const startRun = async (asked: PruneConfig) => {
    const config = cleanSessionName(asked);
    await checkRunTargets(config, options);
    // Before the run: an existing export is never replaced without asking.
    if (config.export && options.listFolder) await refuseOverwrite(config.export, options.listFolder);
    const started = await startSessionTask(config);
    // A run that saves into a project makes it a recent one, as opening it would; a refused one does not.
    if (config.project) await remember(config.project, options);
    return started;
  };
  const startSessionTask = (config: PruneConfig) =>
    startTask(
      (context, taskId) =>
        config.project
          ? runProjectSession({ ...config, project: config.project }, context)
          : runPruning(config, { ...context, recorder: liveFlows.recorder(taskId, config) }),
      (taskId, result: PruneResult) => ({ type: 'task-done', taskId, result }),
    );
  /** One task at a time: a second would halve the speed of both and share the backend's memory. */
  const startTask = async <R>(run: (context: ProjectSessionContext, taskId: string) => Promise<R>, done: (taskId: string, result: R) => EngineEvent) => {
    const report = await ready();
    if (running.size > 0) throw new TaskBusyError('Another task is running; cancel it or wait for it to finish.');
    const taskId = `task-${nextTask++}`;
    const controller = new AbortController();
    // Events say what the loop does: paused once it holds at a batch boundary, resumed once it goes on.
    const gate = new PauseGate({
      onHold: () => emit({ type: 'task-paused', taskId }),
      onRelease: () => emit({ type: 'task-resumed', taskId }),
    });
    running.set(taskId, { controller, gate });
    run(
      {
        ...options,
        backend: report.active,
        signal: controller.signal,
        pause: gate,
        onProgress: (progress) =>
          emit(progress.warning ? { type: 'task-warning', taskId, message: progress.message } : { type: 'task-progress', taskId, progress }),
        onState: (state: SessionState) => emit({ type: 'task-state', taskId, state }),
        onPruneStep: (step) => emit({ type: 'prune-step', taskId, step }),
      },
      taskId,
    )
      .then((result) => emit(done(taskId, result)))
      .catch((error: unknown) =>
        emit(controller.signal.aborted ? { type: 'task-cancelled', taskId } : { type: 'task-failed', taskId, error: serializeError(error) }),
      )
      .finally(() => running.delete(taskId));
    return { taskId };
  };

  return checkedEngine({
    async getInfo() {
      const backend = await ready();
      const { numTensors, numBytes } = tf.memory();
      const files = Boolean(options.openDataSource && options.listFolder && options.projects);
      return { name: 'Pruneflow', version: PRUNEFLOW_VERSION, host: options.host, backend, memory: { tensors: numTensors, bytes: numBytes }, files };
    },
    // Checked at the entry (checkedEngine); parsing again fills in the defaults. A model file's baseline is
    // measured, not retrained, unless the caller asks for baseline epochs.
    startDemo: (partial) => startRun(demoConfig(demoOptionsSchema.parse(partial))),
    startPruning: (partial) => startRun(pruneConfigSchema.parse({ trainEpochs: defaultTrainEpochs(partial.model), ...partial })),
    startSensitivity: (partial) =>
      startTask(
        (context) => runSensitivity(pruneConfigSchema.parse({ trainEpochs: defaultTrainEpochs(partial.model), ...partial }), context),
        (taskId, result: SensitivityReport) => ({ type: 'sensitivity-done', taskId, result }),
      ),
    async inspectDataset(path: string) {
      if (path === BUILTIN_DATA) {
        const splits = await loadBuiltinSample(options.readAsset);
        return previewDataset({ format: 'Fashion-MNIST sample (IDX, built in)', splits: { ...splits }, classNames: FASHION_MNIST_CLASSES, warnings: [] });
      }
      if (!options.openDataSource) throw new HostCapabilityError('This engine host cannot open files by path.');
      return previewDataset(await openDataset(await options.openDataSource(path)));
    },
    async inspectModel(source: string) {
      await ready();
      const model = await loadModel(source, options);
      try {
        const inputContract = modelInputContract(model);
        const report = modelReport(model, buildChannelGraph(model));
        const unavailable = criteriaRefusing(model);
        if (unavailable.length > 0)
          report.summary.push(
            `Not available for this model: the ${unavailable.map((c) => c.id).join(' and ')} criteria and the importance flow. ${unavailable[0].reason}.`,
          );
        return { ...report, ...(inputContract && { inputContract }), ...(unavailable.length > 0 && { unavailableCriteria: unavailable }) };
      } finally {
        model.dispose();
      }
    },
    async importanceFlow(request) {
      await ready();
      return importanceFlow(request, options);
    },
    async sessionFlow(request) {
      await ready();
      return 'task' in request ? liveFlows.flow(request.task) : projectSessionFlow(request.project, request.session, options);
    },
    async openProject(path) {
      const summary = await openProject(path, options);
      await remember(path, options);
      return summary;
    },
    saveProject: (path) => saveProject(path, options),
    saveProjectAs: (from, to, overwrite) => saveProjectAs(from, to, overwrite ?? false, options),
    recentProjects: () => recentProjects(options),
    compareSessions: (refs) => compareSessionRefs(refs, options),
    async exportSession(path, sessionId, format, out, exportOptions) {
      await ready();
      return exportSession(path, sessionId, format, out, options, exportOptions);
    },
    writeReport: (path, sessionIds, format, out) => writeReport(path, sessionIds, format, out, options),
    async listFolder(path: string) {
      if (!options.listFolder) throw new HostCapabilityError('This engine host has no files to browse.');
      return options.listFolder(path);
    },
    async estimateCut(request) {
      await ready();
      return estimateCut(request, options);
    },
    resumeSession: (projectPath, sessionId) =>
      startTask(
        (context) => resumeProjectSession(projectPath, sessionId ?? undefined, context),
        (taskId, result: PruneResult) => ({ type: 'task-done', taskId, result }),
      ),
    planSweep: async (spec) => sweeps().planSweep(spec),
    async startSweep(spec, sweepOptions) {
      const started = await sweeps().startSweep(spec, sweepOptions);
      await remember((spec as { project: string }).project, options);
      return started;
    },
    cancelSweep: async (sweepId) => sweeps().cancelSweep(sweepId),
    runningSweeps: async () => (options.sweeps ? options.sweeps.runningSweeps() : []),
    async cancelTask(taskId: string) {
      running.get(taskId)?.controller.abort();
    },
    async pauseTask(taskId: string) {
      running.get(taskId)?.gate.pause();
    },
    async resumeTask(taskId: string) {
      running.get(taskId)?.gate.resume();
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
}
