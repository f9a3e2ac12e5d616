import type { CutRequest, EngineApi, FlowRequest } from './contract.js';
import type { CallMethod, EngineCall } from './bridge.js';
import { parseSweepSpec } from './sweep.js';
import { demoOptionsSchema, describe, isPlainObject, MAX_PATH_LENGTH, parseOptions, pruneConfigFrom, runOption, type RunOptionKey } from './run-options.js';

/** A message that is not a well-formed engine call. It is answered with this error, never executed. */
export class InvalidCallError extends Error {
  override name = 'InvalidCallError';
}

type ArgsCheck = (args: unknown[], fail: (why: string) => never) => void;

export { MAX_EPOCHS } from './run-options.js';
const MAX_TASK_ID_LENGTH = 64;
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
    if (args.length < 4 || args.length > 5) fail(`expected 4 or 5 arguments, but got ${args.length}`);
    const [file, sessionId, format, out, options] = args;
    if (
      options !== undefined &&
      (typeof options !== 'object' ||
        options === null ||
        Object.keys(options).some((k) => k !== 'foldBatchNorm') ||
        !['boolean', 'undefined'].includes(typeof (options as { foldBatchNorm?: unknown }).foldBatchNorm))
    ) {
      fail(`options must be { foldBatchNorm?: true or false }, but got ${describe(options)}`);
    }
    checkPath(file, fail);
    if (sessionName(sessionId)) fail(`sessionId must be ${sessionName(sessionId)}`);
    if (oneOf('tfjs', 'keras-h5', 'keras', 'onnx', 'tflite')(format))
      fail(`format must be ${oneOf('tfjs', 'keras-h5', 'keras', 'onnx', 'tflite')(format)}, but got ${describe(format)}`);
    checkPath(out, fail);
  },
  writeReport(args, fail) {
    expectCount(args, 4, fail);
    const [file, sessionIds, format, out] = args;
    checkPath(file, fail);
    if (!Array.isArray(sessionIds) || sessionIds.length > MAX_COMPARED || sessionIds.some((id) => sessionName(id)))
      fail(`sessionIds must be an array of at most ${MAX_COMPARED} session ids or names`);
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
  planSweep(args, fail) {
    expectCount(args, 1, fail);
    checkSweepSpec(args[0], fail);
  },
  startSweep(args, fail) {
    if (args.length < 1 || args.length > 2) fail(`expected 1 or 2 arguments, but got ${args.length}`);
    checkSweepSpec(args[0], fail);
    if (args[1] !== undefined) checkOptions(args[1], SWEEP_RUN_CHECKS, [], 'options', fail);
  },
  cancelSweep: checkTaskId,
};

function checkSweepSpec(spec: unknown, fail: (why: string) => never): void {
  try {
    parseSweepSpec(spec, 'spec');
  } catch (error) {
    fail((error as Error).message);
  }
}

const SWEEP_RUN_CHECKS: Record<'workers' | 'queue', (value: unknown) => string | undefined> = {
  workers: (v) => (isIntegerIn(v, 1, 256) ? undefined : 'an integer from 1 to 256'),
  queue: (v) => (typeof v === 'string' && /^rediss?:\/\/[^\s]{1,500}$/.test(v) ? undefined : 'a redis:// or rediss:// address'),
};

function checkTaskId(args: unknown[], fail: (why: string) => never): void {
  expectCount(args, 1, fail);
  const [taskId] = args;
  if (typeof taskId !== 'string' || taskId.length === 0 || taskId.length > MAX_TASK_ID_LENGTH) {
    fail(`taskId must be a non-empty string of at most ${MAX_TASK_ID_LENGTH} characters, but got ${describe(taskId)}`);
  }
}

const oneOf =
  (...values: string[]) =>
  (v: unknown) =>
    typeof v === 'string' && values.includes(v) ? undefined : `one of ${values.join(', ')}`;
const path = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH_LENGTH && !v.includes('\0') ? undefined : 'a path or name');
const integer = (min: number, max: number) => (v: unknown) => (isIntegerIn(v, min, max) ? undefined : `an integer from ${min} to ${max}`);
/** A run option's own check (run-options.ts), for requests that share it. */
const runOptionCheck = (key: RunOptionKey) => {
  const { schema, info } = runOption(key);
  return (v: unknown) => (v !== undefined && schema.safeParse(v).success ? undefined : info.expects);
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
  criterion: runOptionCheck('criterion'),
  target: runOptionCheck('target'),
  steps: integer(1, 20),
  ranking: runOptionCheck('ranking'),
  protect: runOptionCheck('protect'),
  calibrationBatches: integer(1, 1000),
  seed: runOptionCheck('seed'),
};

const CUT_REQUEST_CHECKS: Record<keyof CutRequest, (value: unknown) => string | undefined> = {
  model: path,
  input: (v) =>
    isPlainObject(v) &&
    hasOnlyKeys(v, 'height', 'width', 'channels', 'classes') &&
    isIntegerIn(v.height, 1, 4096) &&
    isIntegerIn(v.width, 1, 4096) &&
    isIntegerIn(v.channels, 1, 4) &&
    isIntegerIn(v.classes, 2, 100_000)
      ? undefined
      : '{ height, width: 1..4096, channels: 1..4, classes: 2..100000 }',
  metric: oneOf('flops', 'params'),
  roundTo: integer(1, 256),
};

/** An object whose keys all have a check; `required` keys must be present. */
function checkOptions<K extends string>(
  value: unknown,
  checks: Record<K, (v: unknown) => string | undefined>,
  required: K[],
  what: string,
  fail: (why: string) => never,
): void {
  if (!isPlainObject(value)) fail(`${what} must be an object, but got ${describe(value)}`);
  for (const key of required) if (!Object.hasOwn(value as object, key)) fail(`${what}.${key} is required`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!Object.hasOwn(checks, key)) fail(`unknown option ${describe(key)}`);
    const expected = checks[key as K](v);
    if (expected) fail(`${what}.${key} must be ${expected}, but got ${describe(v)}`);
  }
}

function checkPruneConfig(config: unknown, fail: (why: string) => never): void {
  pruneConfigFrom(config, fail);
}

/** Every engine call, once, in the order of the checks above. */
export const CALL_METHODS = Object.keys(CHECKS) as CallMethod[];

/** An untrusted message's envelope, checked: an object with a known method and an array of arguments. */
export function readCall(message: unknown): EngineCall {
  if (!isPlainObject(message)) throw new InvalidCallError(`Invalid engine call: expected an object, but got ${describe(message)}.`);
  const { method, args } = message;
  if (typeof method !== 'string' || !Object.hasOwn(CHECKS, method)) {
    throw new InvalidCallError(`Invalid engine call: unknown method ${describe(method)}.`);
  }
  if (!Array.isArray(args)) throw new InvalidCallError(`Invalid engine call '${method}': args must be an array, but got ${describe(args)}.`);
  return { method, args } as EngineCall;
}

/** Checks an untrusted message's method and argument shapes; returns it typed or throws InvalidCallError. */
export function validateCall(message: unknown): EngineCall {
  const call = readCall(message);
  const fail = (why: string): never => {
    throw new InvalidCallError(`Invalid engine call '${call.method}': ${why}.`);
  };
  CHECKS[call.method](call.args, fail);
  return call;
}

/**
 * The engine as every door reaches it (CLI in-process, Electron IPC, worker thread, web worker, WebSocket):
 * each call is checked here, once, before it runs, and a wrong one is refused with InvalidCallError.
 * Trailing undefined arguments are dropped first, as the transports drop them.
 */
export function checkedEngine(engine: EngineApi): EngineApi {
  const checked = Object.fromEntries(
    CALL_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        const call = validateCall({ method, args: withoutTrailingUndefined(args) });
        return (engine[method] as (...args: unknown[]) => Promise<unknown>).apply(engine, call.args);
      },
    ]),
  );
  return { ...checked, onEvent: (listener) => engine.onEvent(listener) } as EngineApi;
}

function withoutTrailingUndefined(args: unknown[]): unknown[] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  return args.slice(0, end);
}

function checkDemoOptions(options: unknown, fail: (why: string) => never): void {
  parseOptions(demoOptionsSchema, options, 'options', fail);
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

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}
