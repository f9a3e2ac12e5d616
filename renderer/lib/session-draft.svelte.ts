import { BUILTIN_DATA_ID, defaultTrainEpochs, isBuiltInModel, RECOMMENDED_CRITERION } from '../../core/api/catalog.js';
import { checkInputFit, type InputFit } from '../../core/api/input-fit.js';
import { numberedExportFolder } from './export-folder.js';
import type { InputPreset } from '../../core/api/input-options.js';
import type { CutEstimate, DatasetPreview, EngineApi, ModelReport, PruneConfig, SerializedError } from '../../core/api/contract.js';
import { DEFAULT_PRUNE_CONFIG, fallback } from '../../core/api/run-options.js';
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

/** The choices of a new pruning session, from the Data screen to the wizard's review; they start at the run options' defaults (core/api/run-options.ts). */
export class SessionDraft {
  /** The data set as given to the engine: a path on its host, or the built-in sample. */
  data = $state('');
  model = $state('demo-cnn');
  readonly preview = new Lookup<DatasetPreview>();
  readonly report = new Lookup<ModelReport>();
  readonly estimate = new Lookup<CutEstimate>();

  criterion = $state(RECOMMENDED_CRITERION.id);
  metric = $state<PruneConfig['target']['metric']>(DEFAULT_PRUNE_CONFIG.target.metric);
  reduction = $state(DEFAULT_PRUNE_CONFIG.target.reduction);
  ranking = $state<PruneConfig['ranking']>(DEFAULT_PRUNE_CONFIG.ranking);
  protect = $state(DEFAULT_PRUNE_CONFIG.protect);
  /** Absent until the estimate says what a run would choose (the timing engine's block, fitted to the narrowest layer). */
  roundTo = $state<number | undefined>(DEFAULT_PRUNE_CONFIG.roundTo);
  /** The user picked the rounding; until then it follows the estimate. */
  roundToChosen = $state(false);
  schedule = $state<PruneConfig['schedule']>(DEFAULT_PRUNE_CONFIG.schedule);
  scheduleSteps = $state(DEFAULT_PRUNE_CONFIG.scheduleSteps);
  softEpochs = $state(DEFAULT_PRUNE_CONFIG.softEpochs);
  trainEpochs = $state(DEFAULT_PRUNE_CONFIG.trainEpochs);
  fineTuneEpochs = $state(DEFAULT_PRUNE_CONFIG.fineTuneEpochs);
  batchSize = $state(DEFAULT_PRUNE_CONFIG.batchSize);
  learningRate = $state(DEFAULT_PRUNE_CONFIG.learningRate);
  optimizer = $state<NonNullable<PruneConfig['optimizer']>>(fallback('optimizer'));
  lrSchedule = $state<NonNullable<PruneConfig['lrSchedule']>>(fallback('lrSchedule'));
  distill = $state(false);
  distillWeight = $state(fallback('distillation').weight);
  distillTemperature = $state(fallback('distillation').temperature);
  earlyStop = $state(false);
  patience = $state(fallback('earlyStopping').patience);
  /** Share of the training images early stopping holds out to judge progress. */
  validationShare = $state(fallback('validationShare'));
  seed = $state(DEFAULT_PRUNE_CONFIG.seed);
  /** How the model expects its images; '' = what its file says, else detected on the images when the run starts. */
  inputPreset = $state<InputPreset | ''>('');
  /** The model's class names in the order of its outputs, as typed (one per line or comma-separated); empty: its file's, if any. */
  classNames = $state('');
  /** A project file to save the session to; empty: not saved. */
  project = $state('');
  sessionName = $state('');
  exportPath = $state('');
  exportFormat = $state<NonNullable<PruneConfig['export']>['format']>('tfjs');
  /** ONNX export: batch norms folded into the layers before them. */
  foldBatchNorm = $state(false);
  #quickTrial = $state(false);
  sampleTrain = $state(1000);
  sampleTest = $state(500);
  /** Replace a model already exported in `exportPath` (the user agreed when asked). */
  exportOverwrite = $state(false);
  /** Sessions started from this draft, and the export folder the first of them chose. */
  #started = 0;
  #firstExport = '';
  /** Resize and convert the images to a model file's input (the Model screen offers it when they differ). */
  fitInput = $state(false);
  /** The set-up wizard's step (0: criterion .. 4: review): kept with the settings, so a reload returns to it. */
  wizardStep = $state(0);

  readonly #engine: EngineApi;

  constructor(engine: EngineApi) {
    this.#engine = engine;
  }

  /** A quick trial: a stratified, seeded sample of the images instead of all (the CLI's --sample). */
  get quickTrial(): boolean {
    return this.#quickTrial;
  }

  /** A quick trial may be timed by another engine than a full run: the target's estimate is counted again. */
  set quickTrial(quick: boolean) {
    if (quick === this.#quickTrial) return;
    this.#quickTrial = quick;
    this.estimate.clear();
  }

  get usesBuiltinData(): boolean {
    return this.data === BUILTIN_DATA_ID;
  }

  chooseData(data: string): Promise<void> {
    this.data = data;
    this.estimate.clear();
    return this.preview.load(() => this.#engine.inspectDataset(data));
  }

  /** A built-in model is built for the data; a model file is already trained, so by default it is not retrained. */
  chooseModel(model: string): Promise<void> {
    if (isBuiltInModel(model) !== isBuiltInModel(this.model)) this.trainEpochs = defaultTrainEpochs(model);
    // Class names name one model's outputs.
    if (model !== this.model) this.classNames = '';
    this.model = model;
    this.estimate.clear();
    return this.report.load(() => this.#engine.inspectModel(model));
  }

  /** The class names typed on the Model screen, as a list. */
  get classNameList(): string[] {
    return this.classNames
      .split(/[\n,]/)
      .map((name) => name.trim())
      .filter((name) => name.length > 0);
  }

  /** A session started with these choices: the next one must not reuse its name or its export folder. */
  markStarted(): void {
    this.#started++;
    if (this.#started === 1 || !this.#firstExport) this.#firstExport = this.exportPath.trim();
  }

  /** Choices for the next session: the same settings, a name of its own (the engine's default) and its own export folder. */
  nextSession(): void {
    this.wizardStep = 0;
    if (this.#started === 0) return;
    this.sessionName = '';
    this.exportOverwrite = false;
    if (this.exportPath.trim()) this.exportPath = numberedExportFolder(this.#firstExport || this.exportPath, this.#started + 1);
  }

  /** How the chosen data fits a model file's input (undefined until both are read; built-in models are built to fit). */
  get inputFit(): InputFit | undefined {
    const preview = this.preview.value;
    const input = this.report.value?.input;
    if (!preview || !input || isBuiltInModel(this.model)) return undefined;
    return checkInputFit(input, { height: preview.height, width: preview.width, channels: preview.channels, classes: preview.classNames.length });
  }

  /**
   * FLOPs, parameters and predicted time left by each cut, for the data the model will be built for, with the rounding chosen
   * (or the engine's pick), timed as this run will be (a quick trial's engine may not be a full run's).
   */
  loadEstimate(): Promise<void> {
    const preview = this.preview.value;
    const input = preview && { height: preview.height, width: preview.width, channels: preview.channels, classes: preview.classNames.length };
    const roundTo = this.roundToChosen ? { roundTo: this.roundTo } : {};
    return this.estimate.load(async () => {
      const estimate = await this.#engine.estimateCut({
        model: this.model,
        metric: this.metric,
        ...roundTo,
        ...(input && { input }),
        ...(this.quickTrial && { quickTrial: true }),
      });
      if (!this.roundToChosen && estimate.roundTo !== undefined) this.roundTo = estimate.roundTo;
      return estimate;
    });
  }

  /** The user's rounding: counted again with it. */
  chooseRoundTo(roundTo: number): void {
    this.roundTo = roundTo;
    this.roundToChosen = true;
    this.estimate.clear();
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
      ...(this.roundTo !== undefined && { roundTo: this.roundTo }),
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
      ...(this.fitInput && this.inputFit?.problems.length && { fitInput: true }),
      ...(this.quickTrial && { sample: { train: this.sampleTrain, test: this.sampleTest } }),
      ...(this.inputPreset && { input: { preset: this.inputPreset } }),
      ...(this.classNameList.length >= 2 && { classNames: this.classNameList }),
      ...(this.project.trim() && { project: this.project.trim() }),
      ...(this.project.trim() && this.sessionName.trim() && { sessionName: this.sessionName.trim() }),
      ...(this.exportPath.trim() && { export: { path: this.exportPath.trim(), format: this.exportFormat, ...(this.exportOverwrite && { overwrite: true }) } }),
      ...(this.exportPath.trim() && this.exportFormat === 'onnx' && this.foldBatchNorm && { foldBatchNorm: true }),
    };
  }
}
