import { BUILTIN_DATA_ID, RECOMMENDED_CRITERION } from '../../core/api/catalog.js';
import type { InputPreset } from '../../core/api/input-options.js';
import type { CutEstimate, DatasetPreview, EngineApi, ModelReport, PruneConfig, SerializedError } from '../../core/api/contract.js';
import { DEFAULT_PRUNE_CONFIG } from '../../core/api/contract.js';
import { serializeError } from '../../core/api/errors.js';

/** A value the engine reads for the UI (a data preview, a model report): loading, loaded or failed. */
export class Lookup<T> {
  value = $state.raw<T>();
  error = $state.raw<SerializedError>();
  loading = $state(false);
  #ticket = 0;

  /** Only the latest request lands: an older answer arriving late is dropped. */
  async load(read: () => Promise<T>): Promise<void> {
    const ticket = ++this.#ticket;
    this.loading = true;
    this.error = undefined;
    this.value = undefined;
    try {
      const value = await read();
      if (ticket === this.#ticket) this.value = value;
    } catch (error) {
      if (ticket === this.#ticket) this.error = serializeError(error);
    } finally {
      if (ticket === this.#ticket) this.loading = false;
    }
  }

  clear(): void {
    this.#ticket++;
    this.value = undefined;
    this.error = undefined;
    this.loading = false;
  }
}

/** The choices of a new pruning session, from the Data screen to the wizard's review. */
export class SessionDraft {
  /** The data set as given to the engine: a path on its host, or the built-in sample. */
  data = $state('');
  model = $state('demo-cnn');
  readonly preview = new Lookup<DatasetPreview>();
  readonly report = new Lookup<ModelReport>();
  readonly estimate = new Lookup<CutEstimate>();

  criterion = $state(RECOMMENDED_CRITERION.id);
  metric = $state<'flops' | 'params'>('flops');
  reduction = $state(0.5);
  ranking = $state<PruneConfig['ranking']>(DEFAULT_PRUNE_CONFIG.ranking);
  protect = $state(DEFAULT_PRUNE_CONFIG.protect);
  roundTo = $state(DEFAULT_PRUNE_CONFIG.roundTo);
  schedule = $state<PruneConfig['schedule']>('one-shot');
  scheduleSteps = $state(DEFAULT_PRUNE_CONFIG.scheduleSteps);
  softEpochs = $state(DEFAULT_PRUNE_CONFIG.softEpochs);
  trainEpochs = $state(DEFAULT_PRUNE_CONFIG.trainEpochs);
  fineTuneEpochs = $state(DEFAULT_PRUNE_CONFIG.fineTuneEpochs);
  batchSize = $state(DEFAULT_PRUNE_CONFIG.batchSize);
  learningRate = $state(DEFAULT_PRUNE_CONFIG.learningRate);
  optimizer = $state<'adam' | 'sgd'>('adam');
  lrSchedule = $state<'cosine' | 'step' | 'constant'>('cosine');
  distill = $state(false);
  distillWeight = $state(0.5);
  distillTemperature = $state(4);
  earlyStop = $state(false);
  patience = $state(3);
  /** Share of the training images early stopping holds out to judge progress. */
  validationShare = $state(0.1);
  seed = $state(DEFAULT_PRUNE_CONFIG.seed);
  /** How the model expects its images; '' = what its file says, else detected on the images when the run starts. */
  inputPreset = $state<InputPreset | ''>('');
  /** A project file to save the session to; empty: not saved. */
  project = $state('');
  sessionName = $state('');
  exportPath = $state('');
  exportFormat = $state<'tfjs' | 'keras-h5' | 'keras'>('tfjs');

  readonly #engine: EngineApi;

  constructor(engine: EngineApi) {
    this.#engine = engine;
  }

  get usesBuiltinData(): boolean {
    return this.data === BUILTIN_DATA_ID;
  }

  chooseData(data: string): Promise<void> {
    this.data = data;
    this.estimate.clear();
    return this.preview.load(() => this.#engine.inspectDataset(data));
  }

  chooseModel(model: string): Promise<void> {
    this.model = model;
    this.estimate.clear();
    return this.report.load(() => this.#engine.inspectModel(model));
  }

  /** FLOPs and parameters left by each cut, for the data the model will be built for. */
  loadEstimate(): Promise<void> {
    const preview = this.preview.value;
    const input = preview && { height: preview.height, width: preview.width, channels: preview.channels, classes: preview.classNames.length };
    return this.estimate.load(() => this.#engine.estimateCut({ model: this.model, metric: this.metric, ...(input && { input }) }));
  }

  /** The session as the engine takes it; settings left at their defaults are left out. */
  toConfig(): Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'> {
    return {
      model: this.model,
      data: this.data,
      criterion: this.criterion,
      target: { metric: this.metric, reduction: this.reduction },
      ranking: this.ranking,
      protect: this.protect,
      roundTo: this.roundTo,
      schedule: this.schedule,
      ...(this.schedule === 'iterative' && { scheduleSteps: this.scheduleSteps }),
      ...(this.schedule !== 'one-shot' && { softEpochs: this.softEpochs }),
      trainEpochs: this.trainEpochs,
      fineTuneEpochs: this.fineTuneEpochs,
      batchSize: this.batchSize,
      learningRate: this.learningRate,
      optimizer: this.optimizer,
      lrSchedule: this.lrSchedule,
      ...(this.distill && { distillation: { weight: this.distillWeight, temperature: this.distillTemperature } }),
      ...(this.earlyStop && { earlyStopping: { patience: this.patience }, validationShare: this.validationShare }),
      seed: this.seed,
      ...(this.inputPreset && { input: { preset: this.inputPreset } }),
      ...(this.project.trim() && { project: this.project.trim() }),
      ...(this.project.trim() && this.sessionName.trim() && { sessionName: this.sessionName.trim() }),
      ...(this.exportPath.trim() && { export: { path: this.exportPath.trim(), format: this.exportFormat } }),
    };
  }
}
