import type { DemoOptions, EngineApi, EngineEvent, PruneConfig, PruneResult, PruneStep, SerializedError, TaskProgress } from '../../core/api/contract.js';
import { serializeError } from '../../core/api/errors.js';
import { BUILTIN_DATA_ID } from '../../core/api/catalog.js';
import { DEFAULT_DEMO_OPTIONS } from '../../core/api/run-options.js';
import { EpochClock } from './epoch-clock.js';

/**
 * The demo's fixed choices as a session's settings (the engine's demoConfig): the Run screen counts its whole time
 * left from them, and a demo kept in a project saves into it as a session does.
 */
function demoSettings(options: Partial<DemoOptions>): Partial<PruneConfig> {
  const demo = { ...DEFAULT_DEMO_OPTIONS, ...options };
  return {
    model: 'demo-cnn',
    data: BUILTIN_DATA_ID,
    criterion: 'l1',
    schedule: 'one-shot',
    target: { metric: 'flops', reduction: demo.flopsReduction },
    trainEpochs: demo.trainEpochs,
    fineTuneEpochs: demo.fineTuneEpochs,
    ...(demo.project && { project: demo.project }),
  };
}

export type RunPhase = 'idle' | 'starting' | 'running' | 'pausing' | 'paused' | 'cancelling' | 'done' | 'failed' | 'cancelled';

/** One training step's numbers, for the live charts. */
export interface MetricPoint {
  /** Steps since the run began, over all stages. */
  x: number;
  /** Epochs since the run began, over all training stages (see EpochClock). */
  epoch: number;
  stage: string;
  loss?: number;
  accuracy?: number;
  learningRate?: number;
}

export interface LogLine {
  at: number;
  text: string;
}

/** Charts keep at most this many points: older ones are thinned, every other one dropped. */
const MAX_POINTS = 800;
const MAX_LOG_LINES = 400;

/**
 * One pruning run (or the demo) at a time: its phase, live progress, metric history, log, and result or
 * error. Pausing holds the engine at its next batch boundary; the phase says when it really holds.
 */
export class RunTaskState {
  phase = $state<RunPhase>('idle');
  /** What is running: the demo, or a session from the wizard. */
  kind = $state<'demo' | 'pruning'>('pruning');
  config = $state.raw<Partial<PruneConfig>>();
  progress = $state.raw<TaskProgress>();
  /** Stages seen so far, each once, and the one running now. */
  stages = $state.raw<string[]>([]);
  stage = $state<string>();
  points = $state.raw<MetricPoint[]>([]);
  /** Accuracy on the held-out images (early stopping's), once per epoch, at the step it was measured: few points, never thinned. */
  heldOut = $state.raw<{ x: number; epoch: number; stage: string; accuracy: number }[]>([]);
  log = $state.raw<LogLine[]>([]);
  /** What the engine warned about during the run (a smaller batch after running out of GPU memory). */
  warnings = $state.raw<string[]>([]);
  result = $state.raw<PruneResult>();
  /** Kept channels per layer after the schedule's latest step, while it prunes. */
  pruneStep = $state.raw<PruneStep>();
  error = $state.raw<SerializedError>();
  startedAt = $state(0);
  /** When the run ended (done, failed or cancelled); 0 while it goes on. */
  endedAt = $state(0);
  /** Milliseconds spent paused, over finished pauses; and when the current pause began (0: not paused). */
  pausedMs = $state(0);
  pausedAt = $state(0);
  /** The project file the run saves into, if any (a session of the wizard, or one resumed). */
  savesTo = $state<string>();
  /** The session of `savesTo` the run continues, when it resumed one (a new session's id comes from the engine). */
  resumedSession = $state<string>();
  /** Images per second of baseline training, last seen: the wizard's run-time estimate learns from it. */
  trainingSpeed = $state<number>();
  /** Images per second of fine-tuning the pruned model, last seen: what a run of a trained file (no baseline training) teaches the estimate. */
  fineTuningSpeed = $state<number>();
  /** Seconds the run has worked at `now`: from its start, without the time it spent paused, up to its end. */
  activeSeconds(now: number): number {
    const until = this.endedAt || now;
    const pausing = this.pausedAt ? until - this.pausedAt : 0;
    return Math.max(0, until - this.startedAt - this.pausedMs - pausing) / 1000;
  }

  readonly busy = $derived(['starting', 'running', 'pausing', 'paused', 'cancelling'].includes(this.phase));
  #taskId: string | undefined;
  /** The engine's id of the run (its importance flow is asked for by it when the run saved into no project). */
  get taskId(): string | undefined {
    return this.#taskId;
  }
  #step = 0;
  #stride = 1;
  #clock = new EpochClock();
  readonly #engine: EngineApi;
  readonly #unsubscribe: () => void;

  constructor(engine: EngineApi) {
    this.#engine = engine;
    this.#unsubscribe = engine.onEvent((event) => this.#onEvent(event));
  }

  /** Each start resolves to whether it started (a start failing at the engine counts: the Run screen shows why); none while busy. */
  startDemo(options: Partial<DemoOptions>): Promise<boolean> {
    return this.#start('demo', demoSettings(options), () => this.#engine.startDemo(options));
  }

  startPruning(config: Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>): Promise<boolean> {
    return this.#start('pruning', config, () => this.#engine.startPruning(config));
  }

  /** Continues an interrupted session of a project from its last checkpoint; `inputs` name its model and data for the Run screen. */
  resumeSession(path: string, sessionId: string, inputs?: Pick<PruneConfig, 'model' | 'data'>): Promise<boolean> {
    const config = inputs && { ...inputs, project: path };
    return this.#start('pruning', config, () => this.#engine.resumeSession(path, sessionId), path, `Resumed session ${sessionId} of ${path}`, sessionId);
  }

  /** Forgets a finished run (a new project starts clean); a busy run stays. */
  clear(): void {
    if (this.busy) return;
    this.phase = 'idle';
    this.result = undefined;
    this.error = undefined;
    this.config = undefined;
    this.savesTo = undefined;
    this.resumedSession = undefined;
    this.progress = undefined;
    this.points = [];
    this.heldOut = [];
    this.log = [];
    this.stages = [];
    this.stage = undefined;
    this.warnings = [];
    this.pruneStep = undefined;
    this.trainingSpeed = undefined;
    this.fineTuningSpeed = undefined;
  }

  async pause(): Promise<void> {
    if (!this.#taskId || this.phase !== 'running') return;
    this.phase = 'pausing';
    await this.#call(() => this.#engine.pauseTask(this.#taskId!));
  }

  async resume(): Promise<void> {
    if (!this.#taskId || (this.phase !== 'paused' && this.phase !== 'pausing')) return;
    await this.#call(() => this.#engine.resumeTask(this.#taskId!));
  }

  async cancel(): Promise<void> {
    if (!this.#taskId || !['running', 'pausing', 'paused'].includes(this.phase)) return;
    this.phase = 'cancelling';
    await this.#call(() => this.#engine.cancelTask(this.#taskId!));
  }

  dismissError(): void {
    this.error = undefined;
  }

  dispose(): void {
    this.#unsubscribe();
  }

  async #start(
    kind: 'demo' | 'pruning',
    config: Partial<PruneConfig> | undefined,
    start: () => Promise<{ taskId: string }>,
    savesTo = config?.project,
    note = kind === 'demo' ? 'Demo started' : `Session started: ${config?.model} on ${config?.data}`,
    resumedSession?: string,
  ): Promise<boolean> {
    if (this.busy) return false;
    this.kind = kind;
    this.config = config;
    this.savesTo = savesTo;
    this.resumedSession = resumedSession;
    this.phase = 'starting';
    this.#taskId = undefined;
    this.#step = 0;
    this.#stride = 1;
    this.#clock = new EpochClock();
    this.progress = undefined;
    this.stages = [];
    this.stage = undefined;
    this.points = [];
    this.heldOut = [];
    this.log = [];
    this.warnings = [];
    this.result = undefined;
    this.pruneStep = undefined;
    this.error = undefined;
    this.startedAt = Date.now();
    this.endedAt = 0;
    this.pausedMs = 0;
    this.pausedAt = 0;
    this.trainingSpeed = undefined;
    this.fineTuningSpeed = undefined;
    this.#note(note);
    try {
      const { taskId } = await start();
      this.#taskId = taskId;
      if (this.phase === 'starting') this.phase = 'running';
    } catch (error) {
      this.#fail(serializeError(error));
    }
    return true;
  }

  async #call(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#fail(serializeError(error));
    }
  }

  #onEvent(event: EngineEvent): void {
    // Events can outrun the reply to the start call; while starting, the first task seen is ours.
    if (this.phase === 'starting' && this.#taskId === undefined) this.#taskId = event.taskId;
    if (event.taskId !== this.#taskId) return;
    switch (event.type) {
      case 'task-progress':
        this.#onProgress(event.progress);
        break;
      case 'task-warning':
        this.warnings = [...this.warnings, event.message];
        this.#note(`Warning: ${event.message}`);
        break;
      case 'task-paused':
        this.phase = 'paused';
        if (!this.pausedAt) this.pausedAt = Date.now();
        this.#note('Paused');
        break;
      case 'task-resumed':
        this.phase = 'running';
        this.#endPause(Date.now());
        this.#note('Resumed');
        break;
      case 'prune-step':
        this.pruneStep = event.step;
        break;
      case 'task-done':
        this.result = event.result;
        this.phase = 'done';
        this.#end();
        this.#note(`Done in ${Math.round(event.result.seconds)} s`);
        break;
      case 'task-failed':
        this.#fail(event.error);
        break;
      case 'task-cancelled':
        this.phase = 'cancelled';
        this.#end();
        this.#note('Cancelled');
        break;
    }
  }

  #onProgress(progress: TaskProgress): void {
    if (this.phase === 'starting') this.phase = 'running';
    const previous = this.progress;
    // Each stage once, in the order first seen: evaluation and scoring come back, and a checkpoint is a save, not a stage.
    if (progress.stage !== 'checkpoint') {
      this.stage = progress.stage;
      if (!this.stages.includes(progress.stage)) this.stages = [...this.stages, progress.stage];
    }
    // The log gets notes (no step count) and each finished epoch or stage: not every step.
    const ended = previous && previous.total > 0 && (previous.stage !== progress.stage || previous.metrics?.epoch !== progress.metrics?.epoch);
    if (ended) this.#note(`${previous.stage}: ${previous.message}`);
    if (progress.total === 0) this.#note(progress.message);
    this.progress = progress;
    const m = progress.metrics;
    if (progress.stage === 'training' && m?.imagesPerSecond) this.trainingSpeed = m.imagesPerSecond;
    if (progress.stage === 'fine-tuning' && m?.imagesPerSecond) this.fineTuningSpeed = m.imagesPerSecond;
    const epoch = this.#clock.at(progress) ?? this.points.at(-1)?.epoch ?? 0;
    if (m?.validationAccuracy !== undefined) this.heldOut = [...this.heldOut, { x: this.#step, epoch, stage: progress.stage, accuracy: m.validationAccuracy }];
    if (m && (m.loss !== undefined || m.accuracy !== undefined))
      this.#addPoint({ x: this.#step++, epoch, stage: progress.stage, loss: m.loss, accuracy: m.accuracy, learningRate: m.learningRate });
  }

  #addPoint(point: MetricPoint): void {
    if (point.x % this.#stride !== 0) return;
    let points = [...this.points, point];
    if (points.length > MAX_POINTS) {
      this.#stride *= 2;
      points = points.filter((p) => p.x % this.#stride === 0);
    }
    this.points = points;
  }

  #note(text: string): void {
    const log = [...this.log, { at: Date.now(), text }];
    this.log = log.length > MAX_LOG_LINES ? log.slice(-MAX_LOG_LINES) : log;
  }

  #endPause(now: number): void {
    if (this.pausedAt) this.pausedMs += now - this.pausedAt;
    this.pausedAt = 0;
  }

  /** The clock stops at the end: elapsed time stays what the run took. */
  #end(): void {
    const now = Date.now();
    this.#endPause(now);
    this.endedAt = now;
  }

  #fail(error: SerializedError): void {
    this.error = error;
    this.phase = 'failed';
    this.#end();
    this.#note(`Failed: ${error.name}: ${error.message}`);
  }
}
