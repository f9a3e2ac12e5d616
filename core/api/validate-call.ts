import { checkInputOptions } from './input-options.js';
import type { CutRequest, DemoOptions, FlowRequest, PruneConfig } from './contract.js';
import type { CallMethod, EngineCall } from './bridge.js';

/** A message that is not a well-formed engine call. It is answered with this error, never executed. */
export class InvalidCallError extends Error {
  override name = 'InvalidCallError';
}

type ArgsCheck = (args: unknown[], fail: (why: string) => never) => void;

export const MAX_EPOCHS = 100;
const MAX_TASK_ID_LENGTH = 64;
const MAX_PATH_LENGTH = 4096;
const MAX_COMPARED = 1000;

/** One entry per call; a method missing here cannot be called. */
const CHECKS: Record<CallMethod, ArgsCheck> = {
  getInfo(args, fail) {
    expectCount(args, 0, fail);
  },
  startDemo(args, fail) {
    expectCount(args, 1, fail);
    checkDemoOptions(args[0], fail);
  },
  startPruning(args, fail) {
    expectCount(args, 1, fail);
    checkPruneConfig(args[0], fail);
  },
  startSensitivity(args, fail) {
    expectCount(args, 1, fail);
    checkPruneConfig(args[0], fail);
  },
  inspectDataset(args, fail) {
    expectCount(args, 1, fail);
    checkPath(args[0], fail);
  },
  inspectModel(args, fail) {
    expectCount(args, 1, fail);
    checkPath(args[0], fail);
  },
  importanceFlow(args, fail) {
    expectCount(args, 1, fail);
    checkOptions(args[0], FLOW_REQUEST_CHECKS, ['model'], 'request', fail);
  },
  openProject(args, fail) {
    expectCount(args, 1, fail);
    checkPath(args[0], fail);
  },
  compareSessions(args, fail) {
    expectCount(args, 1, fail);
    const [refs] = args;
    if (!Array.isArray(refs) || refs.length === 0 || refs.length > MAX_COMPARED) fail(`refs must be an array of 1 to ${MAX_COMPARED} session references`);
    (refs as unknown[]).forEach((ref, i) => checkOptions(ref, SESSION_REF_CHECKS, ['path'], `refs[${i}]`, fail));
  },
  exportSession(args, fail) {
    expectCount(args, 4, fail);
    const [file, sessionId, format, out] = args;
    checkPath(file, fail);
    if (sessionName(sessionId)) fail(`sessionId must be ${sessionName(sessionId)}`);
    if (oneOf('tfjs', 'keras-h5', 'keras')(format)) fail(`format must be ${oneOf('tfjs', 'keras-h5', 'keras')(format)}, but got ${describe(format)}`);
    checkPath(out, fail);
  },
  writeReport(args, fail) {
    expectCount(args, 4, fail);
    const [file, sessionIds, format, out] = args;
    checkPath(file, fail);
    if (!Array.isArray(sessionIds) || sessionIds.length > MAX_COMPARED || sessionIds.some((id) => sessionName(id))) fail(`sessionIds must be an array of at most ${MAX_COMPARED} session ids or names`);
    if (oneOf('html', 'md', 'csv')(format)) fail(`format must be ${oneOf('html', 'md', 'csv')(format)}, but got ${describe(format)}`);
    checkPath(out, fail);
  },
  listFolder(args, fail) {
    expectCount(args, 1, fail);
    // An empty path asks for the home folder.
    if (args[0] !== '') checkPath(args[0], fail);
  },
  estimateCut(args, fail) {
    expectCount(args, 1, fail);
    checkOptions(args[0], CUT_REQUEST_CHECKS, ['model', 'metric'], 'request', fail);
  },
  cancelTask: checkTaskId,
  pauseTask: checkTaskId,
  resumeTask: checkTaskId,
  saveProject(args, fail) {
    expectCount(args, 1, fail);
    checkPath(args[0], fail);
  },
  saveProjectAs(args, fail) {
    if (args.length < 2 || args.length > 3) fail(`expected 2 or 3 arguments, but got ${args.length}`);
    checkPath(args[0], fail);
    checkPath(args[1], fail);
    if (args[2] !== undefined && typeof args[2] !== 'boolean') fail(`overwrite must be true or false, but got ${describe(args[2])}`);
  },
  recentProjects(args, fail) {
    expectCount(args, 0, fail);
  },
  resumeSession(args, fail) {
    if (args.length < 1 || args.length > 2) fail(`expected 1 or 2 arguments, but got ${args.length}`);
    checkPath(args[0], fail);
    const [, sessionId] = args;
    if (sessionId !== undefined && sessionId !== null && !(typeof sessionId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(sessionId))) {
      fail(`sessionId must be 1-64 letters, digits, '-' or '_', but got ${describe(sessionId)}`);
    }
  },
};

function checkTaskId(args: unknown[], fail: (why: string) => never): void {
  expectCount(args, 1, fail);
  const [taskId] = args;
  if (typeof taskId !== 'string' || taskId.length === 0 || taskId.length > MAX_TASK_ID_LENGTH) {
    fail(`taskId must be a non-empty string of at most ${MAX_TASK_ID_LENGTH} characters, but got ${describe(taskId)}`);
  }
}

const DEMO_OPTION_CHECKS: Record<keyof DemoOptions, (value: unknown) => string | undefined> = {
  flopsReduction: (v) => (isNumber(v) && v > 0 && v < 1 ? undefined : 'a number between 0 and 1 (exclusive)'),
  trainEpochs: (v) => (isIntegerIn(v, 0, MAX_EPOCHS) ? undefined : `an integer from 0 to ${MAX_EPOCHS}`),
  fineTuneEpochs: (v) => (isIntegerIn(v, 0, MAX_EPOCHS) ? undefined : `an integer from 0 to ${MAX_EPOCHS}`),
  seed: (v) => (isIntegerIn(v, 0, 2 ** 31 - 1) ? undefined : 'an integer from 0 to 2^31-1'),
};

const oneOf = (...values: string[]) => (v: unknown) => (typeof v === 'string' && values.includes(v) ? undefined : `one of ${values.join(', ')}`);
const path = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH_LENGTH && !v.includes('\0') ? undefined : 'a path or name');
const fraction = (v: unknown) => (isNumber(v) && v > 0 && v < 1 ? undefined : 'a number between 0 and 1 (exclusive)');
const integer = (min: number, max: number) => (v: unknown) => (isIntegerIn(v, min, max) ? undefined : `an integer from ${min} to ${max}`);

const PRUNE_CONFIG_CHECKS: Record<keyof PruneConfig, (value: unknown) => string | undefined> = {
  model: path,
  data: path,
  criterion: (v) => (typeof v === 'string' && /^[a-z0-9-]{1,40}$/.test(v) ? undefined : 'a criterion id'),
  target: (v) =>
    isPlainObject(v) && Object.keys(v).every((k) => k === 'metric' || k === 'reduction') && !oneOf('flops', 'params')(v.metric) && !fraction(v.reduction)
      ? undefined
      : "{ metric: 'flops' | 'params', reduction: 0..1 }",
  ranking: oneOf('global', 'uniform', 'sensitivity'),
  sensitivityRatios: (v) =>
    Array.isArray(v) && v.length >= 1 && v.length <= 20 && v.every((r, i) => !fraction(r) && (i === 0 || r > v[i - 1])) ? undefined : 'ascending shares between 0 and 1 (1 to 20 of them)',
  sensitivityImages: integer(1, 100_000),
  protect: (v) => (isNumber(v) && v >= 0 && v < 1 ? undefined : 'a number from 0 to below 1'),
  roundTo: integer(1, 256),
  layerRatios: (v) =>
    isPlainObject(v) && Object.entries(v).length <= 10_000 && Object.entries(v).every(([k, r]) => !path(k) && !fraction(r)) ? undefined : '{ layer name: share 0..1 }',
  trainEpochs: integer(0, MAX_EPOCHS),
  fineTuneEpochs: integer(0, MAX_EPOCHS),
  batchSize: integer(1, 4096),
  learningRate: (v) => (isNumber(v) && v > 0 && v <= 10 ? undefined : 'a number above 0, at most 10'),
  calibrationBatches: integer(0, 1000),
  schedule: oneOf('one-shot', 'iterative', 'continuous'),
  scheduleSteps: integer(1, MAX_EPOCHS),
  softEpochs: integer(0, MAX_EPOCHS),
  scheduleMask: oneOf('soft', 'hard'),
  scheduleRamp: oneOf('cubic', 'constant'),
  seed: integer(0, 2 ** 31 - 1),
  sample: (v) =>
    isPlainObject(v) && Object.keys(v).every((k) => k === 'train' || k === 'test') && !integer(10, 1e7)(v.train) && !integer(10, 1e7)(v.test)
      ? undefined
      : '{ train, test: image counts from 10 }',
  export: (v) =>
    isPlainObject(v) && Object.keys(v).every((k) => k === 'path' || k === 'format') && !path(v.path) && !oneOf('tfjs', 'keras-h5', 'keras')(v.format)
      ? undefined
      : "{ path, format: 'tfjs' | 'keras-h5' | 'keras' }",
  optimizer: oneOf('adam', 'sgd'),
  weightDecay: (v) => (isNumber(v) && v >= 0 && v <= 1 ? undefined : 'a number from 0 to 1'),
  lrSchedule: oneOf('cosine', 'step', 'constant'),
  distillation: (v) =>
    isPlainObject(v) && hasOnlyKeys(v, 'weight', 'temperature') && isNumber(v.weight) && v.weight >= 0 && v.weight <= 1 && isNumber(v.temperature) && v.temperature > 0 && v.temperature <= 100
      ? undefined
      : '{ weight: 0..1, temperature: above 0, at most 100 }',
  earlyStopping: (v) => (isPlainObject(v) && hasOnlyKeys(v, 'patience') && isIntegerIn(v.patience, 1, MAX_EPOCHS) ? undefined : `{ patience: 1..${MAX_EPOCHS} }`),
  validationShare: (v) => (isNumber(v) && v > 0 && v <= 0.5 ? undefined : 'a number above 0, at most 0.5'),
  checkpointDir: path,
  project: path,
  sessionName: (v) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? undefined : 'a name of 1 to 200 characters'),
  input: checkInputOptions,
};

const sessionName = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? undefined : 'a session id or name of 1 to 200 characters');
const SESSION_REF_CHECKS: Record<'path' | 'session', (value: unknown) => string | undefined> = { path, session: sessionName };

/** Every key one of `keys`; missing ones are refused by the value checks. */
function hasOnlyKeys(value: Record<string, unknown>, ...keys: string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k)) && keys.every((k) => Object.hasOwn(value, k));
}

const FLOW_REQUEST_CHECKS: Record<keyof FlowRequest, (value: unknown) => string | undefined> = {
  model: path,
  data: path,
  criterion: PRUNE_CONFIG_CHECKS.criterion,
  target: PRUNE_CONFIG_CHECKS.target,
  steps: integer(1, 20),
  ranking: PRUNE_CONFIG_CHECKS.ranking,
  protect: PRUNE_CONFIG_CHECKS.protect,
  calibrationBatches: integer(1, 1000),
  seed: PRUNE_CONFIG_CHECKS.seed,
};

const CUT_REQUEST_CHECKS: Record<keyof CutRequest, (value: unknown) => string | undefined> = {
  model: path,
  input: (v) =>
    isPlainObject(v) && hasOnlyKeys(v, 'height', 'width', 'channels', 'classes') && isIntegerIn(v.height, 1, 4096) && isIntegerIn(v.width, 1, 4096) && isIntegerIn(v.channels, 1, 4) && isIntegerIn(v.classes, 2, 100_000)
      ? undefined
      : '{ height, width: 1..4096, channels: 1..4, classes: 2..100000 }',
  metric: oneOf('flops', 'params'),
};

/** An object whose keys all have a check; `required` keys must be present. */
function checkOptions<K extends string>(value: unknown, checks: Record<K, (v: unknown) => string | undefined>, required: K[], what: string, fail: (why: string) => never): void {
  if (!isPlainObject(value)) fail(`${what} must be an object, but got ${describe(value)}`);
  for (const key of required) if (!Object.hasOwn(value as object, key)) fail(`${what}.${key} is required`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!Object.hasOwn(checks, key)) fail(`unknown option ${describe(key)}`);
    const expected = checks[key as K](v);
    if (expected) fail(`${what}.${key} must be ${expected}, but got ${describe(v)}`);
  }
}

function checkPruneConfig(config: unknown, fail: (why: string) => never): void {
  checkOptions(config, PRUNE_CONFIG_CHECKS, ['model', 'data'], 'config', fail);
}

/** Checks an untrusted message's method and argument shapes; returns it typed or throws InvalidCallError. */
export function validateCall(message: unknown): EngineCall {
  if (!isPlainObject(message)) throw new InvalidCallError(`Invalid engine call: expected an object, but got ${describe(message)}.`);
  const { method, args } = message;
  if (typeof method !== 'string' || !Object.hasOwn(CHECKS, method)) {
    throw new InvalidCallError(`Invalid engine call: unknown method ${describe(method)}.`);
  }
  const fail = (why: string): never => {
    throw new InvalidCallError(`Invalid engine call '${method}': ${why}.`);
  };
  if (!Array.isArray(args)) fail(`args must be an array, but got ${describe(args)}`);
  CHECKS[method as CallMethod](args as unknown[], fail);
  return { method, args } as EngineCall;
}

function checkDemoOptions(options: unknown, fail: (why: string) => never): void {
  if (!isPlainObject(options)) fail(`options must be an object, but got ${describe(options)}`);
  for (const [key, value] of Object.entries(options as Record<string, unknown>)) {
    if (!Object.hasOwn(DEMO_OPTION_CHECKS, key)) fail(`unknown option ${describe(key)}`);
    const expected = DEMO_OPTION_CHECKS[key as keyof DemoOptions](value);
    if (expected) fail(`options.${key} must be ${expected}, but got ${describe(value)}`);
  }
}

/** A path or a built-in name: a bounded string without NUL bytes. */
function checkPath(path: unknown, fail: (why: string) => never): void {
  if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH_LENGTH || path.includes('\0')) {
    fail(`path must be a non-empty string of at most ${MAX_PATH_LENGTH} characters, but got ${describe(path)}`);
  }
}

function expectCount(args: unknown[], count: number, fail: (why: string) => never): void {
  if (args.length !== count) fail(`expected ${count} argument${count === 1 ? '' : 's'}, but got ${args.length}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** A short, safe rendering of an untrusted value for error messages. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
