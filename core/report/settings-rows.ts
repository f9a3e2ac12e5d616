import { criterionName } from '../api/catalog.js';
import type { PruneConfig } from '../api/contract.js';

type Row = [string, string];
const percent = (x: number) => `${Math.round(x * 1000) / 10}%`;
const epochs = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;

/** How each setting reads in a report: a label and its value in words; settings that do not apply are left out. */
const SETTINGS: { [K in keyof PruneConfig]-?: (value: NonNullable<PruneConfig[K]>, config: PruneConfig) => Row | undefined } = {
  model: (v) => ['Model', v],
  data: (v) => ['Data set', v === 'builtin:fashion-mnist' ? 'built-in Fashion-MNIST sample' : v],
  criterion: (v) => ['Criterion', criterionName(v)],
  target: (v) => ['Target', `remove ${percent(v.reduction)} of the ${v.metric === 'flops' ? 'FLOPs' : 'parameters'}`],
  ranking: (v) => [
    'Ranking',
    { global: 'global (one threshold across layers)', uniform: 'uniform (the same share of every layer)', sensitivity: 'from a sensitivity analysis' }[v],
  ],
  sensitivityRatios: (v) => ['Sensitivity shares tried', v.map(percent).join(', ')],
  sensitivityImages: (v) => ['Sensitivity images', String(v)],
  protect: (v) => ['Largest share removed from a layer', percent(1 - v)],
  groupNormalisation: (v, c) =>
    c.ranking === 'global'
      ? ['Scores made comparable by', v === 'none' ? 'nothing (raw scores)' : v === 'lamp' ? "LAMP's ratio" : `each layer's ${v}`]
      : undefined,
  cip: (v, c) =>
    c.criterion === 'cip' && Object.keys(v).length > 0
      ? [
          "CIP's switches",
          Object.entries(v)
            .map(([name, value]) => `${name} ${typeof value === 'boolean' ? (value ? 'on' : 'off') : value}`)
            .join(', '),
        ]
      : undefined,
  roundTo: (v) => ['Kept channels rounded to', v > 1 ? `multiples of ${v}` : 'exact counts'],
  layerRatios: (v) => [
    'Shares set by hand',
    Object.entries(v)
      .map(([layer, share]) => `${layer}: ${percent(share)}`)
      .join(', '),
  ],
  trainEpochs: (v) => ['Baseline training', v > 0 ? epochs(v) : 'none (the model as it was)'],
  fineTuneEpochs: (v) => ['Fine-tuning', v > 0 ? epochs(v) : 'none'],
  batchSize: (v) => ['Batch size', String(v)],
  learningRate: (v) => ['Learning rate', `${v} (fine-tuning at half)`],
  calibrationBatches: (v) => ['Calibration batches (data criteria)', String(v)],
  schedule: (v) => ['Schedule', v],
  scheduleSteps: (v, c) => (c.schedule === 'iterative' ? ['Pruning steps', String(v)] : undefined),
  softEpochs: (v, c) =>
    c.schedule === 'one-shot' ? undefined : [c.schedule === 'continuous' ? 'Soft-pruning epochs' : 'Fine-tuning between steps', epochs(v)],
  scheduleMask: (v, c) => (c.schedule === 'continuous' ? ['Gates', v === 'soft' ? 'soft (sigmoid)' : 'hard (0/1 masks)'] : undefined),
  scheduleRamp: (v, c) => (c.schedule === 'continuous' ? ['Cut over time', v === 'cubic' ? 'cubic ramp' : 'all from the start'] : undefined),
  seed: (v) => ['Seed', String(v)],
  fitInput: (v) => (v ? ['Images', "resized and converted to the model's input"] : undefined),
  sample: (v) => ['Quick trial', `a sample of ${v.train} training and ${v.test} test images`],
  export: (v) => [
    'Export',
    `${v.path} (${{ tfjs: 'TensorFlow.js', 'keras-h5': 'Keras .h5', keras: 'Keras .keras', onnx: 'ONNX', tflite: 'TensorFlow Lite' }[v.format]})`,
  ],
  foldBatchNorm: (v, c) => (v && c.export?.format === 'onnx' ? ['Batch norms in the export', 'folded into the layers before them'] : undefined),
  optimizer: (v, c) => ['Optimizer', v === 'adam' ? 'Adam' : c.nesterov ? "SGD with Nesterov's momentum 0.9" : 'SGD with momentum 0.9'],
  nesterov: () => undefined, // said with the optimizer
  weightDecayOn: (v, c) => (c.weightDecay ? ['Weight decay on', v === 'all' ? 'every trainable weight' : 'kernels only'] : undefined),
  lrScheduleEvery: (v) => ['Learning rate moves', v === 'batch' ? 'after every batch' : 'once per epoch'],
  fineTuneLearningRate: (v) => ['Fine-tuning learning rate', String(v)],
  batchNormMomentum: (v) => ['Batch-norm momentum', String(v)],
  weightDecay: (v) => (v > 0 ? ['Weight decay', String(v)] : undefined),
  lrSchedule: (v) => ['Learning-rate schedule', { cosine: 'cosine decay', step: 'steps of 0.1 at 50% and 75%', constant: 'constant' }[v]],
  distillation: (v) => ['Distillation', `weight ${v.weight}, temperature ${v.temperature}`],
  earlyStopping: (v) => ['Early stopping', `after ${epochs(v.patience)} without improvement`],
  validationShare: (v, c) => (c.earlyStopping ? ['Held out for early stopping', percent(v)] : undefined),
  checkpointDir: (v) => ['Checkpoints', v],
  project: (v) => ['Project', v],
  input: (v) => ['Images fed as', v.preset ? `${v.preset}${v.scale || v.mean || v.std || v.colorOrder ? ', changed' : ''}` : 'set by hand'],
  classNames: (v) => ['Model classes named', v.length > 12 ? `${v.slice(0, 12).join(', ')}, … (${v.length})` : v.join(', ')],
  sessionName: (v) => ['Session name', v],
  trainingEngines: (v) => ['Training engines', v === 1 ? 'one' : `${v} (data-parallel, wasm)`],
  dataMemoryBudget: (v) => ['Data memory budget', `${v} MiB (larger image folders stream from disk)`],
};

/** A session's settings as a readable two-column table, in the order of `SETTINGS`; unknown keys last, as JSON. */
export function settingsRows(config: PruneConfig): Row[] {
  const rows: Row[] = [];
  const read = config as unknown as Record<string, unknown>;
  for (const [key, describe] of Object.entries(SETTINGS) as [string, (value: unknown, config: PruneConfig) => Row | undefined][]) {
    const value = read[key];
    if (value === undefined || value === null) continue;
    const row = describe(value, config);
    if (row) rows.push(row);
  }
  for (const [key, value] of Object.entries(read)) {
    if (!(key in SETTINGS) && value !== undefined) rows.push([key, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return rows;
}
