/**
 * The run options, defined once. Each entry is a zod schema with what it expects in words, a help line,
 * its default (or what its absence means) and, where it is one plain value, its command-line flag. From
 * this one table come the `PruneConfig` and `DemoOptions` types, the engine's checks of every call that
 * starts a run (whichever door it came through: CLI, config file, IPC, WebSocket, web worker), the
 * defaults the engine fills in, the CLI's flags with their help, and the UI's initial choices.
 * Adding a run option is one entry here plus the engine code that uses it.
 */
import { z } from 'zod';
import { INPUT_OPTIONS_EXPECTS, inputOptionsSchema } from './input-options.js';

/** What a run option says about itself, beside its check. */
export interface OptionInfo {
  /** What a valid value is, in words: "config.batchSize must be <expects>, but got 0". */
  expects: string;
  /** One line for `--help` and the docs. */
  help: string;
  /** `--flag <value>` for options that are one number, word or list; composite options get flags in the CLI. */
  flag?: string;
  /** What leaving an optional option out means (shown as its default; the UI starts from it). */
  fallback?: unknown;
}

/** Every option's info, looked up by its schema. */
export const optionInfo = z.registry<OptionInfo>();

const option = <S extends z.ZodType>(schema: S, info: OptionInfo): S => {
  optionInfo.add(schema, info);
  return schema;
};

export const MAX_EPOCHS = 100;
export const MAX_PATH_LENGTH = 4096;
const MAX_SEED = 2 ** 31 - 1;

const integer = (min: number, max: number) => z.number().int().min(min).max(max);
/** Strictly between 0 and 1. */
const fraction = () => z.number().gt(0).lt(1);
export const pathSchema = () =>
  z
    .string()
    .min(1)
    .max(MAX_PATH_LENGTH)
    .refine((v) => !v.includes('\0'));
const epochs = () => integer(0, MAX_EPOCHS);
const EPOCHS = `an integer from 0 to ${MAX_EPOCHS}`;
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values);
const words = (values: readonly string[]) => `one of ${values.join(', ')}`;

export const METRICS = ['flops', 'params'] as const;
export const RANKINGS = ['global', 'uniform', 'sensitivity'] as const;
export const SCHEDULES = ['one-shot', 'iterative', 'continuous'] as const;
export const SCHEDULE_MASKS = ['soft', 'hard'] as const;
export const SCHEDULE_RAMPS = ['cubic', 'constant'] as const;
export const OPTIMIZERS = ['adam', 'sgd'] as const;
export const LR_SCHEDULES = ['cosine', 'step', 'constant'] as const;
export const LR_STEP_UNITS = ['batch', 'epoch'] as const;
export const WEIGHT_DECAY_TARGETS = ['all', 'kernels'] as const;
/** CIP's switches as CIP-SPEC section 6 sets them (core/importance/cip-settings.ts adds the internal ones). */
export const CIP_SPEC_SWITCHES = {
  alpha: 0.5,
  beta: 0.5,
  tau: 1,
  sigmoid: true,
  rowNormalisation: true,
  groupKernel: false,
  writerSpread: false,
  kernelWidths: false,
  unitStatistic: false,
} as const;
/** Pruneflow's defaults for them: CIP-SPEC's, except where bench:papers measured better (docs/cip.md section 10). */
export const CIP_SWITCH_DEFAULTS = {
  alpha: 0.5,
  beta: 1,
  // A flatter phi: the feature-map statistic moves a channel's score less (bench:papers, session 13: docs/cip.md section 10).
  tau: 0.25,
  sigmoid: true,
  rowNormalisation: true,
  groupKernel: true,
  writerSpread: true,
  kernelWidths: false,
  unitStatistic: false,
} as const;
export const GROUP_NORMALISATIONS = ['mean', 'max', 'sum', 'lamp', 'none'] as const;
export const MODEL_EXPORT_FORMATS = ['tfjs', 'keras-h5', 'keras', 'onnx', 'tflite'] as const;

/** The cut a run aims for. */
export const targetSchema = z.strictObject({ metric: oneOf(METRICS), reduction: fraction() });
const TARGET_EXPECTS = "{ metric: 'flops' | 'params', reduction: 0..1 }";

/** The shape of a run's options, one entry per option (the order of `--help`). */
const PRUNE_OPTIONS = {
  model: option(pathSchema(), { expects: 'a path or name', help: 'a built-in model id or a model file (model.json, .h5, .keras)' }),
  data: option(pathSchema(), { expects: 'a path or name', help: 'a data set (file, folder or archive), or builtin:fashion-mnist' }),
  criterion: option(
    z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      // The best measured on the papers' protocol (docs/benchmarks.md): 1.3 points ahead of l1 at 50% fewer FLOPs.
      .default('group-l1'),
    { expects: 'a criterion id', help: 'importance criterion', flag: '--criterion <id>' },
  ),
  target: option(targetSchema.default({ metric: 'flops', reduction: 0.5 }), { expects: TARGET_EXPECTS, help: 'the share of FLOPs or parameters to remove' }),
  ranking: option(oneOf(RANKINGS).default('global'), {
    expects: words(RANKINGS),
    help:
      'global (one threshold over normalised scores), uniform (the same share from ' +
      'every layer) or sensitivity (shares from a sensitivity analysis, cached)',
    flag: '--ranking <kind>',
  }),
  sensitivityRatios: option(
    z
      .array(fraction())
      .min(1)
      .max(20)
      .refine((v) => v.every((r, i) => i === 0 || r > v[i - 1]))
      .optional(),
    {
      expects: 'ascending shares between 0 and 1 (1 to 20 of them)',
      help: 'ranking sensitivity: shares of each layer to try',
      flag: '--sensitivity-ratios <list>',
      fallback: [0.25, 0.5, 0.75],
    },
  ),
  sensitivityImages: option(integer(1, 100_000).optional(), {
    expects: 'an integer from 1 to 100000',
    help: 'ranking sensitivity: training images to measure accuracy on',
    flag: '--sensitivity-images <n>',
    fallback: 500,
  }),
  protect: option(z.number().min(0).lt(1).default(0.1), {
    expects: 'a number from 0 to below 1',
    help: 'share of every layer that is never removed (the per-layer floor; at least one channel is always kept)',
    flag: '--protect <fraction>',
  }),
  groupNormalisation: option(oneOf(GROUP_NORMALISATIONS).optional(), {
    expects: words(GROUP_NORMALISATIONS),
    help:
      "global ranking: each group's scores divided by their mean, max or sum, LAMP's ratio " +
      "(lamp) or none; the criterion's own choice when absent (mean for most, lamp for LAMP)",
    flag: '--group-norm <kind>',
  }),
  cip: option(
    z
      .strictObject({
        alpha: z.number().min(0).max(1).optional(),
        beta: z.number().min(0).max(16).optional(),
        tau: z.number().gt(0).max(100).optional(),
        sigmoid: z.boolean().optional(),
        rowNormalisation: z.boolean().optional(),
        groupKernel: z.boolean().optional(),
        writerSpread: z.boolean().optional(),
        kernelWidths: z.boolean().optional(),
        unitStatistic: z.boolean().optional(),
      })
      .optional(),
    {
      expects:
        '{ alpha?: 0..1, beta?: 0..16, tau?: above 0 to 100, sigmoid?: boolean, rowNormalisation?: boolean, ' +
        'groupKernel?: boolean, writerSpread?: boolean, kernelWidths?: boolean, unitStatistic?: boolean }',
      help:
        "criterion cip: its switches (docs/cip.md): alpha, the propagated share's weight against the local score; beta, " +
        "the kernel term's exponent; tau, the sigmoid's slope; sigmoid and rowNormalisation on or off; groupKernel, the " +
        "kernel term from the whole group's L1 instead of the layer's batch-norm scale; writerSpread, a group with " +
        'several writers keeps their typical spread instead of the narrower one of their mean; kernelWidths, how many ' +
        "channels each group keeps follows the whole group's L1 (group-l1), which ones CIP's ranking; unitStatistic, " +
        'mu = 1 for every channel: no activations are measured, CIP scores the weights alone',
      fallback: CIP_SWITCH_DEFAULTS,
    },
  ),
  roundTo: option(integer(1, 256).optional(), {
    expects: 'an integer from 1 to 256',
    help:
      'keep channel counts a multiple of n; 1 = exact; by default the block of the engine that times the run ' +
      '(8 for tfjs wasm, 16 for ONNX Runtime: measured blocks), halved until at most half the narrowest layer',
    flag: '--round-to <n>',
    fallback: 'auto',
  }),
  layerRatios: option(
    z
      .record(pathSchema(), fraction())
      .refine((v) => Object.keys(v).length <= 10_000)
      .optional(),
    { expects: '{ layer name: share 0..1 }', help: 'share to remove from chosen layers, set by hand instead of searched' },
  ),
  trainEpochs: option(epochs().default(4), {
    expects: EPOCHS,
    help: 'baseline training epochs (default 4 for a built-in model, 0 for a model file: its baseline is measured, not retrained)',
    flag: '--epochs <n>',
  }),
  fineTuneEpochs: option(epochs().default(2), { expects: EPOCHS, help: 'fine-tuning epochs after pruning', flag: '--fine-tune-epochs <n>' }),
  batchSize: option(integer(1, 4096).default(64), { expects: 'an integer from 1 to 4096', help: 'training batch size', flag: '--batch-size <n>' }),
  learningRate: option(z.number().gt(0).max(10).default(2e-3), {
    expects: 'a number above 0, at most 10',
    help: 'learning rate (fine-tuning uses half)',
    flag: '--lr <rate>',
  }),
  calibrationBatches: option(integer(0, 1000).default(10), {
    expects: 'an integer from 0 to 1000',
    help: 'batches shown to data-driven criteria',
    flag: '--calibration-batches <n>',
  }),
  schedule: option(oneOf(SCHEDULES).default('one-shot'), {
    expects: words(SCHEDULES),
    help: 'one-shot, iterative (prune/fine-tune steps) or continuous (soft gates, CIP-SPEC section 5)',
    flag: '--schedule <kind>',
  }),
  scheduleSteps: option(integer(1, MAX_EPOCHS).default(3), {
    expects: `an integer from 1 to ${MAX_EPOCHS}`,
    help: 'steps of the iterative schedule',
    flag: '--schedule-steps <n>',
  }),
  softEpochs: option(epochs().default(4), {
    expects: EPOCHS,
    help: 'epochs of the pruning phase: continuous T_p, or fine-tuning between iterative steps',
    flag: '--soft-epochs <n>',
  }),
  scheduleMask: option(oneOf(SCHEDULE_MASKS).default('soft'), {
    expects: words(SCHEDULE_MASKS),
    help: 'continuous schedule: soft sigmoid gates or hard 0/1 masks (SFP-style)',
    flag: '--schedule-mask <kind>',
  }),
  scheduleRamp: option(oneOf(SCHEDULE_RAMPS).default('cubic'), {
    expects: words(SCHEDULE_RAMPS),
    help: 'continuous schedule: cubic ramp of the cut or constant, the whole cut from the start (SFP)',
    flag: '--schedule-ramp <kind>',
  }),
  seed: option(integer(0, MAX_SEED).default(1), { expects: 'an integer from 0 to 2^31-1', help: 'random seed', flag: '--seed <n>' }),
  sample: option(z.strictObject({ train: integer(10, 1e7), test: integer(10, 1e7) }).optional(), {
    expects: '{ train, test: image counts from 10 }',
    help: 'quick trial: a stratified, seeded sample of this many training and test images',
  }),
  fitInput: option(z.boolean().optional(), {
    expects: 'true or false',
    help: "resize and convert (grayscale <-> colour) the images to a model file's input instead of refusing a mismatch",
    fallback: false,
  }),
  export: option(z.strictObject({ path: pathSchema(), format: oneOf(MODEL_EXPORT_FORMATS), overwrite: z.boolean().optional() }).optional(), {
    expects: `{ path, format: ${MODEL_EXPORT_FORMATS.map((f) => `'${f}'`).join(' | ')}, overwrite?: boolean }`,
    help: 'where to write the pruned model, and in which format; a model already there is replaced only with overwrite',
  }),
  foldBatchNorm: option(z.boolean().optional(), {
    expects: 'true or false',
    help:
      'ONNX export: fold each batch norm into the convolution or dense layer before ' +
      'it (the same outputs at inference, fewer nodes; not for training further)',
    flag: '--fold-batch-norm',
    fallback: false,
  }),
  optimizer: option(oneOf(OPTIMIZERS).optional(), {
    expects: words(OPTIMIZERS),
    help: 'optimizer: adam or sgd (momentum 0.9)',
    flag: '--optimizer <name>',
    fallback: 'adam',
  }),
  nesterov: option(z.boolean().optional(), {
    expects: 'true or false',
    help: "sgd with Nesterov's momentum (PyTorch's nesterov=True)",
    flag: '--nesterov',
    fallback: false,
  }),
  weightDecay: option(z.number().min(0).max(1).optional(), {
    expects: 'a number from 0 to 1',
    help: "weight decay, added to the gradients as PyTorch's weight_decay (5e-4 is usual with sgd)",
    flag: '--weight-decay <value>',
    fallback: 0,
  }),
  weightDecayOn: option(oneOf(WEIGHT_DECAY_TARGETS).optional(), {
    expects: words(WEIGHT_DECAY_TARGETS),
    help: 'the weights it decays: all (every trainable weight, as PyTorch) or kernels (conv and dense kernels only)',
    flag: '--weight-decay-on <weights>',
    fallback: 'all',
  }),
  lrSchedule: option(oneOf(LR_SCHEDULES).optional(), {
    expects: words(LR_SCHEDULES),
    help: 'learning rate over each training stage: cosine, step (x0.1 at 50% and 75%) or constant',
    flag: '--lr-schedule <kind>',
    fallback: 'cosine',
  }),
  lrScheduleEvery: option(oneOf(LR_STEP_UNITS).optional(), {
    expects: words(LR_STEP_UNITS),
    help: 'the schedule moves the rate every batch or every epoch (a PyTorch scheduler stepped per epoch)',
    flag: '--lr-schedule-every <unit>',
    fallback: 'batch',
  }),
  fineTuneLearningRate: option(z.number().gt(0).max(10).optional(), {
    expects: 'a number above 0, at most 10',
    help: 'fine-tuning learning rate (after pruning and between steps; half of --lr when absent)',
    flag: '--fine-tune-lr <rate>',
  }),
  batchNormMomentum: option(z.number().min(0).lt(1).optional(), {
    expects: 'a number from 0 to below 1',
    help: "batch norms' moving-average momentum while training, Keras convention (PyTorch's 0.1 is 0.9; the model's own when absent)",
    flag: '--bn-momentum <m>',
  }),
  distillation: option(z.strictObject({ weight: z.number().min(0).max(1), temperature: z.number().gt(0).max(100) }).optional(), {
    expects: '{ weight: 0..1, temperature: above 0, at most 100 }',
    help: "training after pruning also learns the unpruned model's soft predictions",
    // Hinton et al.'s range is 2-20; 4 is a common choice for CIFAR-sized models.
    fallback: { weight: 0.5, temperature: 4 },
  }),
  earlyStopping: option(z.strictObject({ patience: integer(1, MAX_EPOCHS) }).optional(), {
    expects: `{ patience: 1..${MAX_EPOCHS} }`,
    help: 'stop a training stage after this many epochs without better validation accuracy, keeping the best weights',
    fallback: { patience: 3 },
  }),
  validationShare: option(z.number().gt(0).max(0.5).optional(), {
    expects: 'a number above 0, at most 0.5',
    help: 'share of the training images held out for early stopping',
    flag: '--validation-share <fraction>',
    fallback: 0.1,
  }),
  checkpointDir: option(pathSchema().optional(), {
    expects: 'a path or name',
    help: 'save the latest checkpoint of baseline training and of fine-tuning here (tfjs format)',
    flag: '--checkpoint-dir <folder>',
  }),
  project: option(pathSchema().optional(), {
    expects: 'a path or name',
    help: "a project file (.pruneflow) the session is added to; made, with this run's baseline, if absent",
  }),
  sessionName: option(z.string().min(1).max(200).optional(), {
    expects: 'a name of 1 to 200 characters',
    help: 'name of the session in the project',
    flag: '--session-name <name>',
  }),
  input: option(inputOptionsSchema.optional(), {
    expects: INPUT_OPTIONS_EXPECTS,
    help: 'how the model expects its images; absent: what the model file says, else detected on the data (--input-* flags)',
  }),
  classNames: option(z.array(z.string().trim().min(1).max(200)).min(2).max(100_000).optional(), {
    expects: 'two or more class names, in the order of the model outputs',
    help: "the model's class names in the order of its outputs, where its file does not name them: matched to the data set's by name (another order is mapped)",
    flag: '--class-names <a,b,c>',
  }),
  trainingEngines: option(integer(1, 64).optional(), {
    expects: 'an integer from 1 to 64',
    help: 'engines that train at once (data-parallel, wasm); 1 trains on one engine; absent: one per core, at most 4',
    flag: '--training-engines <n>',
  }),
  dataMemoryBudget: option(integer(16, 2 ** 20).optional(), {
    expects: 'an integer from 16 to 1048576 (MiB)',
    help:
      "MiB the whole process may hold while it reads a run's images; an image folder whose decoded images do not fit in what is left " +
      '(the budget less what the process holds and a 256 MiB margin) streams from disk through a cache of that size',
    flag: '--data-memory-budget <MiB>',
    fallback: 2048,
  }),
};

export const pruneConfigSchema = z.strictObject(PRUNE_OPTIONS);

/** Everything one pruning run needs; the wizard, the CLI and a config file all produce it. */
export type PruneConfig = z.output<typeof pruneConfigSchema>;
/** What a caller gives: the model and the data, and any options to change from their defaults. */
export type PruneConfigInput = z.input<typeof pruneConfigSchema>;
export type RunOptionKey = keyof typeof PRUNE_OPTIONS;

/** The options of the built-in demo; the rest is fixed (core/session/demo.ts). */
export const demoOptionsSchema = z.strictObject({
  flopsReduction: option(fraction().default(0.5), { expects: 'a number between 0 and 1 (exclusive)', help: 'share of FLOPs to remove' }),
  /** 0 prunes the untrained CNN: a quick end-to-end check in seconds rather than a minute or more. */
  trainEpochs: option(epochs().default(4), { expects: EPOCHS, help: 'baseline training epochs' }),
  fineTuneEpochs: option(epochs().default(2), { expects: EPOCHS, help: 'fine-tuning epochs' }),
  seed: option(integer(0, MAX_SEED).default(1), { expects: 'an integer from 0 to 2^31-1', help: 'random seed' }),
  project: option(pathSchema().optional(), {
    expects: 'a path or name',
    help: "a project file (.pruneflow) to keep the demo's session in, made if absent: its results can then be reopened and compared",
  }),
});
export type DemoOptions = z.output<typeof demoOptionsSchema>;

/** The schema of one run option and what it says about itself. */
export function runOption(key: RunOptionKey): { schema: z.ZodType; info: OptionInfo } {
  const schema = PRUNE_OPTIONS[key];
  return { schema, info: optionInfo.get(schema) as OptionInfo };
}

export const RUN_OPTION_KEYS = Object.keys(PRUNE_OPTIONS) as RunOptionKey[];

/** Every option with a default, at its default. */
export const DEFAULT_PRUNE_CONFIG: Omit<PruneConfig, 'model' | 'data'> = pruneConfigSchema.omit({ model: true, data: true }).parse({});
export const DEFAULT_DEMO_OPTIONS: DemoOptions = demoOptionsSchema.parse({});

/** What leaving out an optional option means, as the engine reads it. */
export function fallback<K extends RunOptionKey>(key: K): NonNullable<PruneConfig[K]> {
  return runOption(key).info.fallback as NonNullable<PruneConfig[K]>;
}

/**
 * Checks `value` against a schema of options and returns it with its defaults filled in. A wrong value is
 * reported the same way for every door: "<what>.<key> must be <expects>, but got <value>".
 */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string, fail: (why: string) => never): z.output<S> {
  if (!isPlainObject(value)) fail(`${what} must be an object, but got ${describe(value)}`);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const unknown = issues.find((issue) => issue.code === 'unrecognized_keys' && issue.path.length === 0);
  if (unknown && unknown.code === 'unrecognized_keys') fail(`unknown option ${describe(unknown.keys[0])}`);
  const shape = (schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
  const given = value as Record<string, unknown>;
  const missing = issues.find((issue) => issue.path.length > 0 && !Object.hasOwn(given, issue.path[0] as string));
  if (missing) fail(`${what}.${String(missing.path[0])} is required`);
  const [first] = issues;
  const key = String(first.path[0]);
  const expects = optionInfo.get(shape[key])?.expects ?? first.message;
  return fail(`${what}.${key} must be ${expects}, but got ${describe(given[key])}${insideComposite(first, given, what)}`);
}

/** For a composite option ({ weight, temperature }, { alpha, ... }): which field inside it is wrong, and its value. */
function insideComposite(issue: z.core.$ZodIssue, given: Record<string, unknown>, what: string): string {
  if (issue.code === 'unrecognized_keys') return ` (unknown ${issue.keys.length > 1 ? 'fields' : 'field'} ${issue.keys.map(describe).join(', ')})`;
  if (issue.path.length < 2) return '';
  const value = issue.path.reduce<unknown>((at, step) => (at as Record<PropertyKey, unknown> | undefined)?.[step as PropertyKey], given);
  return ` (${[what, ...issue.path.map(String)].join('.')} is ${value === undefined ? 'missing' : describe(value)})`;
}

/** The full config of a run: the options given, checked, with defaults for the rest. Throws with `fail`. */
export function pruneConfigFrom(input: unknown, fail: (why: string) => never): PruneConfig {
  return parseOptions(pruneConfigSchema, input, 'config', fail);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short, safe rendering of an untrusted value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
