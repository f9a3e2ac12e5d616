import type { EngineApi, EngineEvent, ProjectSummary, SerializedError } from '../../core/api/contract.js';
import type { RunningSweep, SweepJobView, SweepRunOptions, SweepSummary } from '../../core/api/sweep.js';
import { CRITERIA_INFO } from '../../core/api/catalog.js';
import { DEFAULT_PRUNE_CONFIG, SCHEDULES } from '../../core/api/run-options.js';
import { loadTrainingRate } from './training-rate.js';
import { estimateRunSeconds } from './wizard-estimates.js';

/** The values the Sweep screen offers for each axis; the user ticks any of them. */
export const SWEEP_CHOICES = {
  criteria: CRITERIA_INFO.map((c) => c.id as string),
  targets: [0.3, 0.5, 0.7],
  schedules: SCHEDULES,
  fineTuneEpochs: [0, 1, 2, 5],
  seeds: [1, 2, 3],
} as const;

/** A quick trial's sample, as the wizard's: seconds per session on the demo model. */
export const SWEEP_SAMPLE = { train: 300, test: 100 };

export type SweepPhase = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed';

/**
 * The Sweep screen's state: the axes ticked, the count and an estimate of the time before starting, then
 * every job's progress from the engine's sweep events, and Cancel. One sweep at a time per window.
 */
export class SweepState {
  criteria = $state<string[]>(['l1']);
  /** Shares of FLOPs removed. */
  targets = $state<number[]>([0.5]);
  schedules = $state<string[]>(['one-shot']);
  fineTuneEpochs = $state<number[]>([1]);
  seeds = $state<number[]>([1]);
  /** Train and test on a sample (SWEEP_SAMPLE) instead of the whole data set. */
  quickTrial = $state(true);
  /** The early-stop rule: a session more than `margin` (a share of top-1) below the best finished one at its cut stops after pruning. */
  earlyStop = $state(false);
  margin = $state(0.05);
  /** Worker threads; empty: one per core. */
  workers = $state<number | undefined>(undefined);
  /** One worker per GPU of the engine's machine instead of threads (each a process pinned to its GPU). */
  perGpu = $state(false);
  /** redis://host:port: the jobs go to `pruneflow worker` processes on any machine; empty: worker threads here. */
  queue = $state('');

  phase = $state<SweepPhase>('idle');
  sweepId = $state<string>();
  /** The project the sweep writes into. */
  project = $state('');
  jobs = $state.raw<SweepJobView[]>([]);
  summary = $state.raw<SweepSummary>();
  error = $state.raw<SerializedError>();
  /** Images in the project's data set's train and test splits, for the estimate (absent until read). */
  images = $state.raw<{ train: number; test: number }>();

  readonly #engine: EngineApi;
  readonly #onfinished: ((project: string) => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  /** While `reattach` waits for the engine's answer: the events that arrive meanwhile. */
  #held: EngineEvent[] | undefined;

  constructor(engine: EngineApi, { onfinished }: { onfinished?: (project: string) => void } = {}) {
    this.#engine = engine;
    this.#onfinished = onfinished;
  }

  /** Sessions the ticked axes make (an axis with nothing ticked makes none). */
  get count(): number {
    return this.criteria.length * this.targets.length * this.schedules.length * this.fineTuneEpochs.length * this.seeds.length;
  }

  /** The early-stop margin in points of top-1, as the screen asks for it (0-100; anything else is ignored). */
  get marginPoints(): number {
    return Math.round(this.margin * 1000) / 10;
  }

  set marginPoints(points: number | null | undefined) {
    if (typeof points === 'number' && Number.isFinite(points) && points >= 0 && points <= 100) this.margin = points / 100;
  }

  get busy(): boolean {
    return this.phase === 'starting' || this.phase === 'running' || this.phase === 'cancelling';
  }

  toggle<K extends 'criteria' | 'targets' | 'schedules' | 'fineTuneEpochs' | 'seeds'>(axis: K, value: (typeof SWEEP_CHOICES)[K][number], on: boolean): void {
    const current = this[axis] as (string | number)[];
    const next = on ? [...new Set([...current, value])] : current.filter((v) => v !== value);
    // Kept in the screen's order, so the spec (and the sweep's id) does not depend on the order of clicks.
    (this[axis] as (string | number)[]) = (SWEEP_CHOICES[axis] as readonly (string | number)[]).filter((v) => next.includes(v));
  }

  /** The sweep spec (core/api/sweep.ts) for a project file. */
  spec(project: string) {
    return {
      project,
      axes: {
        criteria: this.criteria,
        targets: this.targets.map((reduction) => ({ metric: 'flops' as const, reduction })),
        schedules: this.schedules,
        fineTuneEpochs: this.fineTuneEpochs,
        seeds: this.seeds,
      },
      fixed: this.quickTrial ? { sample: SWEEP_SAMPLE } : {},
      ...(this.earlyStop && { earlyStop: { margin: this.margin } }),
    };
  }

  /** Reads the project's data set's image counts for the estimate; a data set that cannot be read leaves it out. */
  async readImages(summary: ProjectSummary): Promise<void> {
    try {
      const preview = await this.#engine.inspectDataset(summary.dataset.path);
      const train = preview.splits.find((s) => s.name === 'train')?.count ?? preview.splits[0]?.count ?? 0;
      const test = preview.splits.find((s) => s.name === 'test')?.count ?? Math.round(train * 0.2);
      this.images = { train, test };
    } catch {
      this.images = undefined;
    }
  }

  /**
   * Seconds the sessions take one after another at the training speed this page measured (or guessed),
   * from the wizard's run-time estimate; undefined until the data set's size and the baseline's FLOPs are known.
   */
  estimateSeconds(summary: ProjectSummary | undefined): number | undefined {
    const flops = summary?.baseline.flops;
    if (!flops || !this.images) return undefined;
    const train = this.quickTrial ? Math.min(SWEEP_SAMPLE.train, this.images.train) : this.images.train;
    const test = this.quickTrial ? Math.min(SWEEP_SAMPLE.test, this.images.test) : this.images.test;
    const rate = loadTrainingRate().rate;
    const { scheduleSteps, softEpochs } = DEFAULT_PRUNE_CONFIG;
    let seconds = 0;
    for (const reduction of this.targets)
      for (const schedule of this.schedules)
        for (const fineTuneEpochs of this.fineTuneEpochs) {
          const config = { trainEpochs: 0, fineTuneEpochs, schedule: schedule as (typeof SCHEDULES)[number], scheduleSteps, softEpochs };
          const one = estimateRunSeconds({ config, reduction, flops, prunedFlops: flops * (1 - reduction), trainImages: train, testImages: test, rate });
          seconds += one * this.criteria.length * this.seeds.length;
        }
    return seconds;
  }

  /** Starts the sweep on the project; its jobs show as queued until the engine reports them. */
  async start(project: string): Promise<boolean> {
    if (this.busy || this.count === 0) return false;
    this.phase = 'starting';
    this.project = project;
    this.error = undefined;
    this.summary = undefined;
    this.jobs = [];
    this.#listen();
    try {
      const spec = this.spec(project);
      const plan = await this.#engine.planSweep(spec);
      this.sweepId = plan.sweepId;
      this.jobs = plan.jobs.map((j) => ({ sessionId: j.sessionId, name: j.name, status: 'queued', ...(j.existing && { existing: true }) }));
      await this.#engine.startSweep(spec, this.runOptions);
      if (this.phase === 'starting') this.phase = 'running';
      return true;
    } catch (error) {
      this.#fail(error as SerializedError);
      return false;
    }
  }

  /**
   * Shows a sweep already running on the engine's host again (started before a reload, or from another
   * window): its settings, every job as it stands, then its events, and Cancel. False when none runs.
   */
  async reattach(): Promise<boolean> {
    if (this.busy || this.#held) return false;
    // Events that arrive before the answer are held, then replayed on top of it (each carries a job's whole view).
    const held: EngineEvent[] = [];
    this.#held = held;
    this.#listen();
    let found: RunningSweep | undefined;
    try {
      [found] = await this.#engine.runningSweeps();
    } catch {
      found = undefined;
    } finally {
      this.#held = undefined;
    }
    const adopted = Boolean(found && !this.busy);
    if (found && adopted) this.#adopt(found);
    // Replayed either way: a sweep started meanwhile from this screen gets its own events.
    for (const event of held) this.#onEvent(event);
    return adopted;
  }

  #adopt(sweep: RunningSweep): void {
    const { spec, options } = sweep;
    this.sweepId = sweep.sweepId;
    this.project = spec.project;
    this.jobs = sweep.jobs;
    this.error = undefined;
    this.summary = undefined;
    this.phase = sweep.cancelling ? 'cancelling' : 'running';
    // Its settings as far as this screen offers them (a sweep started from the command line may use others);
    // an axis left out is the fixed setting or the default.
    const { axes, fixed } = spec;
    const offered = <T>(values: readonly T[], choices: readonly T[]) => values.filter((v) => choices.includes(v));
    const d = DEFAULT_PRUNE_CONFIG;
    this.criteria = offered(axes.criteria ?? [fixed.criterion ?? d.criterion], SWEEP_CHOICES.criteria);
    const targets = axes.targets ?? [fixed.target ?? d.target];
    this.targets = offered(
      targets.filter((t) => t.metric === 'flops').map((t) => t.reduction),
      SWEEP_CHOICES.targets,
    );
    this.schedules = offered(axes.schedules ?? [fixed.schedule ?? d.schedule], SWEEP_CHOICES.schedules);
    this.fineTuneEpochs = offered(axes.fineTuneEpochs ?? [fixed.fineTuneEpochs ?? d.fineTuneEpochs], SWEEP_CHOICES.fineTuneEpochs);
    this.seeds = offered(axes.seeds ?? [fixed.seed ?? d.seed], SWEEP_CHOICES.seeds);
    this.quickTrial = fixed.sample !== undefined;
    this.earlyStop = spec.earlyStop !== undefined;
    if (spec.earlyStop) this.margin = spec.earlyStop.margin;
    this.queue = options.queue ?? '';
    this.perGpu = options.workers === 'gpu';
    this.workers = typeof options.workers === 'number' ? options.workers : undefined;
  }

  /** Where the jobs run: a Redis queue when one is given, else one worker per GPU, else this many worker threads (default one per core). */
  get runOptions(): SweepRunOptions | undefined {
    const queue = this.queue.trim();
    if (queue) return { queue };
    if (this.perGpu) return { workers: 'gpu' };
    return this.workers ? { workers: this.workers } : undefined;
  }

  /** Cancels the sweep: running jobs stop, queued ones never start. */
  async cancel(): Promise<void> {
    if (!this.sweepId || (this.phase !== 'running' && this.phase !== 'starting')) return;
    this.phase = 'cancelling';
    try {
      await this.#engine.cancelSweep(this.sweepId);
    } catch (error) {
      this.error = { name: (error as Error).name, message: (error as Error).message };
    }
  }

  /** Jobs by status, for the screen's summary line. */
  get tally(): Partial<Record<SweepJobView['status'], number>> {
    const tally: Partial<Record<SweepJobView['status'], number>> = {};
    for (const job of this.jobs) tally[job.status] = (tally[job.status] ?? 0) + 1;
    return tally;
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #listen(): void {
    this.#unsubscribe ??= this.#engine.onEvent((event) => this.#onEvent(event));
  }

  #onEvent(event: EngineEvent): void {
    if (this.#held && event.type === 'sweep') return void this.#held.push(event);
    if (!this.sweepId || event.taskId !== this.sweepId) return;
    if (event.type === 'task-failed') return this.#fail(event.error);
    if (event.type !== 'sweep') return;
    const sweep = event.sweep;
    if (sweep.type === 'sweep-job') {
      const at = this.jobs.findIndex((j) => j.sessionId === sweep.job.sessionId);
      this.jobs = at < 0 ? [...this.jobs, sweep.job] : this.jobs.map((j, i) => (i === at ? sweep.job : j));
      return;
    }
    this.summary = sweep.summary;
    if (sweep.summary.jobs.length) this.jobs = sweep.summary.jobs;
    if (sweep.summary.error) return this.#fail(sweep.summary.error);
    this.phase = 'done';
    this.#onfinished?.(this.project);
  }

  #fail(error: SerializedError): void {
    this.error = { name: error.name, message: error.message };
    this.phase = 'failed';
    // What was written before the failure is in the project too.
    if (this.project) this.#onfinished?.(this.project);
  }
}
