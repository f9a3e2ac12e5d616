import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSummary, PruneConfig, PruneResult, PruneStep, SessionState, TaskProgress } from '../api/contract.js';
import { defaultAugmentation } from '../data/augmentation.js';
import { readBatch } from '../data/streaming/read-batch.js';
import type { ImageDataset, Normalisation } from '../data/image-dataset.js';
import { seededRandom, shuffledIndices } from '../data/random.js';
import { buildChannelGraph, type ChannelGraph } from '../graph/channel-graph.js';
import { checkCriterionFits, criterionFor } from '../importance/registry.js';
import type { ImportanceCriterion } from '../importance/criterion.js';
import { type LatencyRuns, latencyRuns, measureLatency, measureSpeedup } from '../metrics/latency.js';
import { checkExportable, exportModel } from '../models/io/export-model.js';
import { MODEL_ZOO } from '../models/zoo.js';
import { foldForInference } from '../models/fold-for-inference.js';
import { countFlops, countParameters, FLOPS_CONVENTION } from '../models/model-cost.js';
import { metricWord, planPruning, planUniform } from '../prune/budget.js';
import { DEFAULT_SENSITIVITY_RATIOS } from '../prune/sensitivity/analyse.js';
import { assertReachable, selectRatios } from '../prune/sensitivity/select-ratios.js';
import type { SensitivityTable } from '../prune/sensitivity/sensitivity-table.js';
import { type ScheduleContext, scheduleFor } from '../prune/schedules/index.js';
import { recalibrateBatchNorm } from '../train/batch-norm-recalibration.js';
import { throwIfCancelled } from '../train/cancellation.js';
import { evaluate } from '../train/evaluate.js';
import { fit, type FitState } from '../train/fit.js';
import type { PauseGate } from '../train/pause-gate.js';
import { cloneModel, countingScores, distillationFor, recipeOptions, splitForEarlyStopping, stageCheckpoints, stoppedEarlyNote } from './training-options.js';
import { loadRunInputs, type RunHost, trainingEnginesFor } from './run-inputs.js';
import { resolveRunInput } from './run-input.js';
import { modelInputContract, rememberInputContract } from '../models/input-contract.js';
import { measureSensitivity } from './sensitivity-step.js';
import { isFinalState, SessionMachine } from './session-state.js';
import { layerWidths, pruneStepReporter } from './prune-steps.js';
import { ForwardChooser } from '../backend/forward-runner.js';
import { estimatedSpeedup } from './speed-estimate.js';
import { defaultRoundTo } from './timing-engine.js';

export interface RunContext extends RunHost {
  backend: string;
  signal?: AbortSignal;
  /** Holds training and evaluation at batch boundaries while paused. */
  pause?: PauseGate;
  onProgress?: (progress: TaskProgress) => void;
  /** Where the baseline comes from instead of `config.model` (a project's stored baseline). */
  loadBaseline?: () => Promise<tfl.LayersModel>;
  /** Sees what a session record keeps (project-session.ts); each call is awaited before the models go. */
  recorder?: RunRecorder;
  /** The session's state machine, when the caller keeps it (a project session ends it at 'done' once saved). */
  machine?: SessionMachine;
  /** Each state the run's own machine enters (without `machine`). */
  onState?: (state: SessionState) => void;
  /** Go on from a checkpoint (resume-session.ts) instead of from the start. */
  resume?: ResumePoint;
  /** The kept widths after each step of the pruning schedule. */
  onPruneStep?: (step: PruneStep) => void;
}

/** A training stage that checkpoints at the end of every epoch. */
export type TrainingStage = 'training' | 'fine-tuning';

/**
 * Where a resumed run starts: the state its checkpoint was taken in ('configured' while the baseline
 * trains, 'baseline-evaluated' or 'fine-tuning') and what the run had made by then.
 */
export interface ResumePoint {
  state: SessionState;
  /** The baseline's measurements, once it was evaluated (the baseline itself comes from `loadBaseline`). */
  baseline?: ModelSummary;
  /** Once pruned: the pruned model rebuilt on the baseline with the checkpoint's weights, and its accuracy before fine-tuning. */
  pruned?: { open(baseline: tfl.LayersModel): Promise<tfl.LayersModel>; accuracy: number };
  /** Within a training stage: where its last finished epoch left it. */
  training?: FitState & { stage: TrainingStage };
}

export interface RunRecorder {
  /** The baseline as pruning starts (trained, if the run trains it) and its measurements. */
  baseline?(model: tfl.LayersModel, summary: ModelSummary): Promise<void>;
  /** The end of every epoch of baseline training and fine-tuning: the model and where training stands. */
  epoch?(stage: TrainingStage, model: tfl.LayersModel, state: FitState, epochs: number): Promise<void>;
  /** The pruned model before fine-tuning (batch-norm statistics re-estimated) and its accuracy. */
  prunedUntuned?(model: tfl.LayersModel, accuracy: number): Promise<void>;
  /** Every structural pruning step of the schedule. */
  plan?: ScheduleContext['onPlan'];
  /** The pruned model as measured (fine-tuned). */
  pruned?(model: tfl.LayersModel): Promise<void>;
}

/**
 * One pruning run: load the data and the model, train the baseline if asked, score channels with the
 * criterion, remove them to meet the target (a physically smaller model), re-estimate batch-norm
 * statistics, fine-tune, measure both models and export the pruned one if asked. Its state machine
 * (session-state.ts) moves as it goes; with `resume` it starts at a checkpoint and skips what that holds.
 * A run stopped while pruning resumes from the evaluated baseline: the schedules keep no checkpoints.
 */
export async function runPruning(config: PruneConfig, context: RunContext): Promise<PruneResult> {
  const machine = context.machine ?? new SessionMachine(context.resume?.state, context.onState);
  try {
    const result = await runStates(config, context, machine);
    if (!context.machine) machine.to('done');
    return result;
  } catch (error) {
    if (!isFinalState(machine.state)) machine.to(context.signal?.aborted ? 'cancelled' : 'failed');
    throw error;
  }
}

async function runStates(config: PruneConfig, host: RunContext, machine: SessionMachine): Promise<PruneResult> {
  const started = performance.now();
  // Backing off to a smaller batch (out of memory) is said at once as a task-warning, and kept in the
  // run's warnings so the project and its report say it too.
  const backOffs = new Set<string>();
  const onProgress = (progress: TaskProgress) => {
    if (progress.warning) backOffs.add(`${progress.stage}: ${progress.message}`);
    host.onProgress?.(progress);
  };
  const context: RunContext = { ...host, onProgress };
  const { signal, pause, resume, recorder } = context;
  // Forward-only work (evaluation, activations, sensitivity, latency) runs on ONNX Runtime where the host has it and it pays off.
  const forward = new ForwardChooser(context.forwardEngine);
  // Mistakes in the choices fail before any work: an unknown criterion, layer or a target out of reach.
  const criterion = withForward(countingScores(criterionFor(config), config, onProgress), forward);
  const schedule = scheduleFor(config);
  const distillation = distillationFor(config);
  // Sensitivity shares are final widths: the iterative schedule would compound and round them step by step and miss the target.
  if (config.ranking === 'sensitivity' && config.schedule === 'iterative') {
    throw new RankingScheduleError("The sensitivity ranking works with the one-shot and continuous schedules, not 'iterative'");
  }
  const note = (stage: string, message: string) => onProgress?.({ stage, step: 0, total: 0, message });
  note('loading', `Reading ${config.data}`);
  // The data set is checked against the model (size, channels, classes) before any work.
  const { data, model: baseline } = await loadRunInputs(config, context, context.loadBaseline);
  const { test } = data;
  // Early stopping validates on training images held out from every training stage.
  const { train, earlyStopping: stopping } = splitForEarlyStopping(data.train, config);
  const earlyStopping = stopping && { ...stopping, forward };
  const checkpoints = stageCheckpoints(config, context);
  const augmentation = defaultAugmentation(data.imageKind);
  // An export the format cannot hold fails now, not after the run: pruning keeps the layer classes; so does a
  // criterion that cannot score this model (CIP on a layer called twice).
  try {
    if (config.export) checkExportable(baseline, config.export.format);
    checkCriterionFits(criterionFor(config), baseline);
  } catch (error) {
    baseline.dispose();
    throw error;
  }
  let pruned: tfl.LayersModel | undefined;
  const warnings = [...data.warnings];
  let norm: Normalisation;
  try {
    // Fed as it was trained: the file's or the user's input contract, or one detected (a run that cannot make sense stops here).
    const input = await resolveRunInput(config, train, baseline, { signal, onProgress });
    norm = input.norm;
    note('input', input.message);
    if (input.scores) warnings.push(input.message);
  } catch (error) {
    baseline.dispose();
    throw error;
  }
  let sensitivity: SensitivityTable | undefined;
  // A set: iterative schedules score the model several times and would repeat the same warning.
  const criterionWarnings = new Set<string>();
  let teacher: tfl.LayersModel | undefined;
  let baselineDisposed = false;
  try {
    const graph = buildChannelGraph(baseline);
    const fixedRatios = layerRatiosByGroup(graph, config.layerRatios);
    const normalisation = config.groupNormalisation ?? criterion.normalisation;
    const roundTo = config.roundTo ?? (await defaultRoundTo(context, graph, Boolean(config.sample)));
    const budget = { ...config.target, protect: config.protect, roundTo, normalisation, fixedRatios };
    const plan = config.ranking === 'uniform' ? planUniform : planPruning;
    plan(graph, uniformScores(graph), budget); // throws now, not after training, if the target is out of reach
    if (config.ranking === 'sensitivity') assertReachable(graph, config.sensitivityRatios ?? DEFAULT_SENSITIVITY_RATIOS, budget);
    const training = {
      batchSize: config.batchSize,
      seed: config.seed,
      signal,
      pause,
      onProgress,
      augmentation,
      ...recipeOptions(config),
    };
    const fineTuneRate = config.fineTuneLearningRate ?? config.learningRate / 2;
    // Baseline training and fine-tuning are the longest steps: on wasm they use one engine per core where the host has them.
    const parallel = trainingEnginesFor(config, context);
    if (config.trainEpochs > 0 && !machine.reached('baseline-evaluated')) {
      const stage = 'training';
      const trained = await fit(baseline, train, norm, {
        ...training,
        epochs: config.trainEpochs,
        learningRate: config.learningRate,
        stage,
        parallel,
        earlyStopping,
        onCheckpoint: epochHooks(stage, baseline, config.trainEpochs, checkpoints, recorder),
        resume: resume?.training?.stage === stage ? resume.training : undefined,
      });
      const early = stoppedEarlyNote('Baseline training', trained, config.trainEpochs);
      if (early) warnings.push(early);
    }
    let baselineSummary = resume?.baseline;
    if (!baselineSummary) {
      note('evaluating', 'Measuring the baseline');
      baselineSummary = await summarise(baseline, test, norm, config, context, forward);
      machine.to('baseline-evaluated');
      await recorder?.baseline?.(baseline, baselineSummary);
    }
    // The teacher is the unpruned model; the continuous schedule trains the baseline itself, so it teaches from a copy.
    if (distillation) teacher = schedule.id === 'continuous' ? await cloneModel(baseline) : baseline;
    const withTeacher = teacher && { ...distillation!, teacher };

    let pruneOnlyAccuracy: number;
    if (resume?.pruned) {
      pruned = await resume.pruned.open(baseline);
      pruneOnlyAccuracy = resume.pruned.accuracy;
    } else {
      note('scoring', `Scoring channels: ${criterion.label}`);
      const calibration = criterion.needs === 'weights' ? [] : await calibrationBatches(train, norm, config);
      let layerRatios = config.layerRatios;
      if (config.ranking === 'sensitivity') {
        // The analysis sets every group's share (hand-set ones stay); the criterion still picks the channels.
        note('sensitivity', 'Pruning each layer alone to measure what it costs in accuracy');
        try {
          const scores = await criterion.scoreGroups({ model: baseline, graph, calibration, seed: config.seed });
          const measured = await measureSensitivity(baseline, graph, scores, train, norm, config, {
            cache: context.cache,
            signal,
            onProgress,
            warnings,
            forward,
          });
          if (measured.cached) note('sensitivity', 'Using the sensitivity table measured before (cached)');
          sensitivity = measured.table;
          layerRatios = { ...ratiosByLayer(graph, selectRatios(graph, sensitivity, budget).ratios), ...config.layerRatios };
        } catch (error) {
          tf.dispose(calibration.flatMap((b) => [b.x, b.y]));
          throw error;
        }
      }
      note('pruning', `Removing channels to cut ${(config.target.reduction * 100).toFixed(0)}% of the ${metricWord(config.target.metric)}, ${schedule.label}`);
      const recalibrate = (model: tfl.LayersModel) =>
        recalibrateBatchNorm(model, train, norm, {
          seed: config.seed,
          augmentation,
          onWarning: (message) => onProgress?.({ stage: 'pruning', step: 0, total: 0, message, warning: true }),
        });
      // The first scoring pass is the importance computed; the schedule's removals (and any training) are pruning.
      const scored: typeof criterion = {
        ...criterion,
        async scoreGroups(c) {
          const scores = await criterion.scoreGroups(c);
          if (!machine.reached('importance-computed')) machine.to('importance-computed');
          if (!machine.reached('pruning')) machine.to('pruning');
          return scores;
        },
      };
      pruned = await schedule
        .run(baseline, {
          criterion: scored,
          calibration,
          seed: config.seed,
          target: { ...config.target, protect: config.protect, roundTo, normalisation },
          ranking: config.ranking === 'uniform' ? 'uniform' : 'global',
          fixedRatios: (g) => layerRatiosByGroup(g, layerRatios),
          train: async (model, o) => {
            await fit(model, train, norm, {
              ...training,
              epochs: o.epochs,
              learningRate: fineTuneRate,
              stage: o.stage,
              onEpochEnd: o.onEpochEnd,
              onProgress,
              distillation: withTeacher,
              gates: o.gates,
              parallel,
            });
          },
          recalibrate,
          note: (message) => note('pruning', message),
          warn: (message) => criterionWarnings.add(message),
          onPlan: recorder?.plan,
          onKept: context.onPruneStep && pruneStepReporter(baseline, graph, config.target.metric, context.onPruneStep),
        })
        .finally(() => tf.dispose(calibration.flatMap((b) => [b.x, b.y])));
      throwIfCancelled(signal, 'Pruning');
      await recalibrate(pruned);
      pruneOnlyAccuracy = (await evaluate(pruned, test, norm, { signal, pause, onProgress, forward })).top1;
      machine.to('fine-tuning');
      await recorder?.prunedUntuned?.(pruned, pruneOnlyAccuracy);
    }

    if (config.fineTuneEpochs > 0) {
      const stage = 'fine-tuning';
      const tuned = await fit(pruned, train, norm, {
        ...training,
        epochs: config.fineTuneEpochs,
        learningRate: fineTuneRate,
        seed: config.seed + 1,
        stage,
        distillation: withTeacher,
        earlyStopping,
        onCheckpoint: epochHooks(stage, pruned, config.fineTuneEpochs, checkpoints, recorder),
        resume: resume?.training?.stage === stage ? resume.training : undefined,
        parallel,
      });
      const early = stoppedEarlyNote('Fine-tuning', tuned, config.fineTuneEpochs);
      if (early) warnings.push(early);
    }
    // The teacher's work is done: free its memory before the pruned model is measured. The baseline
    // stays only as deployed (folded), to be timed in pairs with the pruned model.
    if (teacher && teacher !== baseline) teacher.dispose();
    teacher = undefined;
    // The pruned model is fed as the baseline was, and its exports say so.
    rememberInputContract(pruned, modelInputContract(baseline));
    const deployedBaseline = await foldForInference(baseline);
    baseline.dispose();
    baselineDisposed = true;
    note('evaluating', 'Measuring the pruned model');
    let prunedSummary: ModelSummary;
    let speed: PruneResult['speed'];
    let speedEstimate: PruneResult['speedEstimate'];
    try {
      prunedSummary = await summarise(pruned, test, norm, config, context, forward, false);
      note('evaluating', 'Timing the baseline and the pruned model in turn');
      const deployedPruned = await foldForInference(pruned);
      speed = await measureSpeedup(deployedBaseline, deployedPruned, { ...runsOf(config), forward })
        .then((measured) => {
          speedEstimate = estimatedSpeedup(deployedBaseline, deployedPruned, forward);
          return measured;
        })
        .finally(() => deployedPruned.dispose());
    } finally {
      deployedBaseline.dispose();
    }
    // Both models' latencies are the paired runs' medians, so speed-up and milliseconds tell one story.
    baselineSummary = { ...baselineSummary, latencyMs: speed.baselineMs.median, latencyBatch: speed.batch, latency: speed.baselineMs };
    prunedSummary = { ...prunedSummary, latencyMs: speed.prunedMs.median, latencyBatch: speed.batch, latency: speed.prunedMs };
    machine.to('evaluated');
    await recorder?.pruned?.(pruned);
    const exported = config.export ? await exportTo(pruned, config.export, context, config.foldBatchNorm) : [];
    return {
      dataset: `${data.label}: ${train.count} training, ${earlyStopping ? `${earlyStopping.validation.count} validation, ` : ''}${test.count} test images`,
      model: MODEL_ZOO.find((e) => e.id === config.model)?.label ?? config.model,
      criterion: criterion.label,
      target: config.target,
      roundTo,
      backend: context.backend,
      flopsConvention: FLOPS_CONVENTION,
      baseline: baselineSummary,
      pruned: prunedSummary,
      pruneOnly: { accuracy: pruneOnlyAccuracy },
      speed,
      ...(speedEstimate && { speedEstimate }),
      seconds: (performance.now() - started) / 1000,
      exported,
      warnings: [...warnings, ...criterionWarnings, ...backOffs],
      ...(sensitivity && { sensitivity }),
      forwardPasses: forward.summary(),
    };
  } finally {
    if (teacher && teacher !== baseline) teacher.dispose();
    if (!baselineDisposed) baseline.dispose();
    pruned?.dispose();
  }
}

/** fit's end-of-epoch hook: the checkpoint folder's (if asked for) and the recorder's. */
function epochHooks(
  stage: TrainingStage,
  model: tfl.LayersModel,
  epochs: number,
  checkpoints: ReturnType<typeof stageCheckpoints>,
  recorder: RunRecorder | undefined,
): ((epoch: number, state: FitState) => Promise<void>) | undefined {
  const toFolder = checkpoints?.(model, stage, epochs);
  if (!toFolder && !recorder?.epoch) return undefined;
  return async (epoch, state) => {
    await toFolder?.(epoch);
    await recorder?.epoch?.(stage, model, state, epochs);
  };
}

export class RankingScheduleError extends Error {
  override name = 'RankingScheduleError';
}

export class UnknownLayerError extends Error {
  override name = 'UnknownLayerError';
}

function uniformScores(graph: ChannelGraph): Map<number, Float32Array> {
  return new Map(graph.groups.filter((g) => g.prunable).map((g) => [g.id, new Float32Array(g.channels).fill(1)]));
}

/** Hand-set ratios by layer name, as ratios by channel group (the group that layer writes). */
function layerRatiosByGroup(graph: ChannelGraph, ratios: Record<string, number> | undefined): Map<number, number> | undefined {
  if (!ratios) return undefined;
  return new Map(
    Object.entries(ratios).map(([layer, ratio]) => {
      const group = graph.groups.find((g) => g.producers.includes(layer));
      if (!group || !group.prunable) {
        const names = graph.groups.filter((g) => g.prunable).flatMap((g) => g.producers);
        throw new UnknownLayerError(`No prunable layer '${layer}'. Prunable layers: ${names.join(', ')}`);
      }
      return [group.id, ratio];
    }),
  );
}

/** Shares by group as shares by the first layer writing each group, so each schedule's graph can look them up. */
function ratiosByLayer(graph: ChannelGraph, ratios: ReadonlyMap<number, number>): Record<string, number> {
  return Object.fromEntries([...ratios].map(([group, ratio]) => [graph.groups[group].producers[0], ratio]));
}

/** The first `calibrationBatches` batches of a seeded shuffle of the training set, for data criteria. */
export async function calibrationBatches(train: ImageDataset, norm: Normalisation, config: Pick<PruneConfig, 'seed' | 'calibrationBatches' | 'batchSize'>) {
  const order = shuffledIndices(train.count, seededRandom(config.seed + 7));
  const batches = [];
  for (let b = 0; b < config.calibrationBatches && b * config.batchSize < train.count; b++) {
    batches.push(await readBatch(train, order.subarray(b * config.batchSize, (b + 1) * config.batchSize), norm));
  }
  return batches;
}

async function exportTo(model: tfl.LayersModel, target: NonNullable<PruneConfig['export']>, host: RunHost, foldBatchNorm?: boolean): Promise<string[]> {
  if (!host.writeFiles) throw new Error('This engine host cannot write files; export the model from a desktop or command-line host.');
  return host.writeFiles(target.path, await exportModel(model, target.format, { foldBatchNorm: foldBatchNorm === true }));
}

/**
 * Accuracy, size and (with `timed`) latency of a model. Latency is the model's as it would be deployed:
 * batch norm and ReLU folded into the convolutions. The pruned model is timed later, in pairs with the baseline.
 */
async function summarise(
  model: tfl.LayersModel,
  test: ImageDataset,
  norm: Normalisation,
  config: PruneConfig,
  context: RunContext,
  forward: ForwardChooser,
  timed = true,
): Promise<ModelSummary> {
  const {
    top1: accuracy,
    top5,
    perClass,
  } = await evaluate(model, test, norm, { signal: context.signal, pause: context.pause, onProgress: context.onProgress, forward });
  const runs = { ...runsOf(config), forward };
  let latency: ModelSummary['latency'];
  if (timed) {
    const deployable = await foldForInference(model);
    latency = await measureLatency(deployable, runs).finally(() => deployable.dispose());
  }
  return {
    accuracy,
    ...(top5 !== undefined && { top5 }),
    parameters: countParameters(model),
    flops: countFlops(model),
    latencyMs: latency?.median ?? Number.NaN,
    latencyBatch: runs.batch,
    ...(latency && { latency }),
    layerWidths: layerWidths(model),
    perClass,
  };
}

/** The criterion with the run's forward engine in every scoring context (schedules score several times). */
function withForward<C extends { scoreGroups: ImportanceCriterion['scoreGroups'] }>(criterion: C, forward: ForwardChooser): C {
  return { ...criterion, scoreGroups: (context) => criterion.scoreGroups({ ...context, forward }) };
}

/** A quick trial (a sample) times fewer, smaller batches. */
function runsOf(config: PruneConfig): LatencyRuns {
  return latencyRuns(Boolean(config.sample));
}
