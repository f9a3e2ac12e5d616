import type { PruneConfig, SessionState, TaskProgress } from '../api/contract.js';
import { serializeError } from '../api/errors.js';
import type { DatasetRef, Project, SessionCheckpoint, SessionRecord, StoredModel, StoredSession } from '../project/project.js';
import type { ProjectStore } from '../project/project-store.js';
import { historyStep } from '../project/pruning-history.js';
import { modelWeights, storeModel } from '../project/stored-model.js';
import { PRUNEFLOW_VERSION } from '../version.js';
import type { RunRecorder } from './prune-run.js';
import { isFinalState, SessionMachine } from './session-state.js';

export class ProjectBaselineError extends Error {
  override name = 'ProjectBaselineError';
}

/** What a new project is made of once its baseline exists; absent when the session joins a project. */
export interface NewProject {
  dataset: DatasetRef;
  source: string;
  trainEpochs: number;
}

export interface SessionSaverOptions {
  store: ProjectStore;
  path: string;
  session: StoredSession;
  newProject?: NewProject;
  /** The session trains the project's baseline (the first session of a new project): its epochs replace it. */
  trainsBaseline?: boolean;
  /** The state the run starts in (a resumed run: its checkpoint's). */
  start?: SessionState;
  /** The file already holds this session (a resumed run): a stop is recorded even before the first checkpoint. */
  inFile?: boolean;
  onState?: (state: SessionState) => void;
  /** A line for the progress log when a checkpoint is saved. */
  onSaved?: (message: string) => void;
}

/**
 * Keeps one session of a project file up to date while it runs: its state on every move, a checkpoint
 * after the baseline is evaluated, after pruning and after every training epoch, and the final record.
 * Every save reads the file as it is now and replaces only this session (and, for a new project, the
 * baseline), so sessions another process adds meanwhile stay; the store saves atomically.
 */
export class SessionSaver {
  readonly machine: SessionMachine;
  readonly metrics: TaskProgress[];
  #session: StoredSession;
  #baseline: StoredModel | undefined;
  /** The fine-tuned model's weights, kept apart until the session is done: a failure after them resumes from the checkpoint. */
  #final: { specs: SessionRecord['weightSpecs']; data: Uint8Array } | undefined;
  /** Once the file holds this session (a new project's file exists once its baseline does). */
  #written = false;
  #saving: Promise<void> = Promise.resolve();

  constructor(private readonly options: SessionSaverOptions) {
    this.#session = options.session;
    this.#written = options.inFile ?? false;
    this.metrics = [...options.session.record.metrics];
    this.machine = new SessionMachine(options.start, (state) => {
      this.#session = { ...this.#session, record: { ...this.#session.record, state } };
      options.onState?.(state);
    });
  }

  get record(): SessionRecord {
    return this.#session.record;
  }

  /** Saves the record as it is (a joined project: right away, so the session shows as running). */
  async begin(): Promise<void> {
    if (!this.options.newProject) await this.#save();
  }

  /** The run's hooks: each writes a checkpoint before the run goes on. */
  recorder(config: Pick<PruneConfig, 'model' | 'trainEpochs'>): RunRecorder {
    const steps = [...this.record.history];
    return {
      epoch: async (stage, model, state, epochs) => {
        const optimizer = state.optimizer;
        const training = {
          stage,
          epoch: state.epoch,
          epochs,
          random: state.random,
          ...(optimizer && { optimizer: optimizer.specs as SessionRecord['weightSpecs'] }),
        };
        if (stage === 'training' && this.options.trainsBaseline) this.#baseline = await storeModel(model, config.model, config.trainEpochs);
        const weights = stage === 'fine-tuning' ? await modelWeights(model) : undefined;
        await this.#checkpoint(
          { ...this.#checkpointBase(), state: this.machine.state, training },
          weights,
          optimizer?.data,
          `${stage} epoch ${state.epoch}/${epochs}`,
        );
      },
      baseline: async (model, summary) => {
        if (this.options.trainsBaseline) this.#baseline = await storeModel(model, config.model, config.trainEpochs);
        await this.#checkpoint({ state: 'baseline-evaluated', saved: now(), baseline: summary }, undefined, undefined, 'the evaluated baseline');
      },
      plan: (step, graph, plan, scores) => {
        steps.push(historyStep(step, graph, plan.keep, scores));
        this.#session = { ...this.#session, record: { ...this.record, history: [...steps] } };
      },
      prunedUntuned: async (model, accuracy) => {
        await this.#checkpoint(
          { ...this.#checkpointBase(), state: 'fine-tuning', pruneOnlyAccuracy: accuracy },
          await modelWeights(model),
          undefined,
          'the pruned model',
        );
      },
      pruned: async (model) => void (this.#final = await modelWeights(model)),
    };
  }

  /** Metrics (progress with numbers) go into the record, saved with the next checkpoint. */
  progress(progress: TaskProgress): void {
    if (progress.metrics) this.metrics.push(progress);
  }

  /** The finished session: its result, its final weights, no checkpoint. */
  async finish(result: SessionRecord['result']): Promise<void> {
    const { checkpoint: _checkpoint, error: _error, ...record } = this.record;
    const weights = this.#final ?? { specs: record.weightSpecs, data: this.#session.weights };
    this.#session = {
      record: { ...record, status: 'done', finished: now(), result, metrics: [...this.metrics], weightSpecs: weights.specs },
      weights: weights.data,
    };
    this.machine.to('done');
    await this.#save();
  }

  /** A failed or cancelled run: the record says so and keeps its last checkpoint; nothing is saved if nothing was yet. */
  async stop(error: unknown, cancelled: boolean): Promise<boolean> {
    if (!isFinalState(this.machine.state)) this.machine.to(cancelled ? 'cancelled' : 'failed');
    const { name, message } = serializeError(error);
    // Metrics, weights and history stay as the last checkpoint saved them: a resume goes on from there.
    const history = this.record.checkpoint?.state === 'fine-tuning' ? this.record.history : [];
    const record: SessionRecord = { ...this.record, status: cancelled ? 'cancelled' : 'failed', history, ...(!cancelled && { error: { name, message } }) };
    this.#session = { ...this.#session, record };
    if (!this.#written && !this.#baseline) return false;
    await this.#save();
    return true;
  }

  #checkpointBase(): SessionCheckpoint {
    const { baseline, pruneOnlyAccuracy } = this.record.checkpoint ?? {};
    return { state: this.machine.state, saved: now(), ...(baseline && { baseline }), ...(pruneOnlyAccuracy !== undefined && { pruneOnlyAccuracy }) };
  }

  async #checkpoint(
    checkpoint: SessionCheckpoint,
    weights: { specs: SessionRecord['weightSpecs']; data: Uint8Array } | undefined,
    optimizer: Uint8Array | undefined,
    what: string,
  ): Promise<void> {
    const record: SessionRecord = { ...this.record, checkpoint: { ...checkpoint, saved: now() }, metrics: [...this.metrics] };
    if (weights) record.weightSpecs = weights.specs;
    this.#session = { record, weights: weights?.data ?? this.#session.weights, ...(optimizer && { optimizer }) };
    await this.#save();
    this.options.onSaved?.(`${what} saved to ${this.options.path}`);
  }

  /** One save at a time, in the order asked. */
  #save(): Promise<void> {
    const run = this.#saving.then(() => this.#write());
    this.#saving = run.catch(() => undefined);
    return run;
  }

  async #write(): Promise<void> {
    const { store, path, newProject } = this.options;
    const latest = await store.load(path);
    const stamp = now();
    let project: Project;
    if (latest) {
      if (newProject && !this.#written) throw new ProjectBaselineError(`${path} was made by another run while this one ran; this session was not saved`);
      const sessions = latest.sessions.some((s) => s.record.id === this.record.id)
        ? latest.sessions.map((s) => (s.record.id === this.record.id ? this.#session : s))
        : [...latest.sessions, this.#session];
      project = { ...latest, modified: stamp, sessions, ...(this.options.trainsBaseline && this.#baseline && { baseline: this.#baseline }) };
    } else {
      if (!newProject || !this.#baseline) throw new ProjectBaselineError(`${path} is gone: it was moved or deleted while this session ran`);
      const unknown = { manifest: {}, project: {}, parts: new Map<string, Uint8Array>() };
      project = {
        created: stamp,
        modified: stamp,
        appVersion: PRUNEFLOW_VERSION,
        dataset: newProject.dataset,
        baseline: this.#baseline,
        sessions: [this.#session],
        unknown,
      };
    }
    await store.save(path, project);
    this.#written = true;
  }
}

const now = () => new Date().toISOString();

/** s1, s2, ...: short, so a command line can name them. */
export function nextSessionId(sessions: readonly StoredSession[]): string {
  const numbers = sessions
    .map((s) => /^s(\d+)$/.exec(s.record.id)?.[1])
    .map(Number)
    .filter(Number.isFinite);
  return `s${Math.max(0, ...numbers) + 1}`;
}
