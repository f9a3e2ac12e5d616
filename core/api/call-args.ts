/**
 * The argument checks the contract's call table (contract.ts, ENGINE_CALLS) is written in: one check per
 * argument, `optional(...)` for trailing ones that may be left out. Each fails with why, in words
 * ("path must be a non-empty string ..."); validate-call.ts adds the call's name.
 */
import type { CutRequest, FlowRequest } from './contract.js';
import { parseSweepSpec } from './sweep.js';
import { demoOptionsSchema, describe, isPlainObject, MAX_PATH_LENGTH, parseOptions, pruneConfigFrom, runOption, type RunOptionKey } from './run-options.js';

export type Fail = (why: string) => never;
/** One argument's check: returns if it is right, else calls `fail` with why. */
export type ArgCheck = (value: unknown, fail: Fail) => void;
/** A whole call's arguments checked: their count, then each one. */
export type ArgsCheck = (args: unknown[], fail: Fail) => void;

interface Optional {
  optional: ArgCheck;
}

/** A trailing argument that may be left out (undefined); when given it must pass `check`. */
export const optional = (check: ArgCheck): Optional => ({ optional: check });

/** A call's arguments in order: required ones first, then optional ones. */
export function args(...checks: (ArgCheck | Optional)[]): ArgsCheck {
  const required = checks.filter((check) => typeof check === 'function').length;
  return (values, fail) => {
    if (values.length < required || values.length > checks.length) {
      const counts = required === checks.length ? `${required} argument${required === 1 ? '' : 's'}` : `${required} or ${checks.length} arguments`;
      fail(`expected ${counts}, but got ${values.length}`);
    }
    checks.forEach((check, i) => {
      if (typeof check === 'function') check(values[i], fail);
      else if (values[i] !== undefined) check.optional(values[i], fail);
    });
  };
}

const MAX_TASK_ID_LENGTH = 64;
const MAX_COMPARED = 1000;

/** A path or a built-in name: a bounded string without NUL bytes. */
export const path: ArgCheck = (value, fail) => {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PATH_LENGTH || value.includes('\0')) {
    fail(`path must be a non-empty string of at most ${MAX_PATH_LENGTH} characters, but got ${describe(value)}`);
  }
};

/** A path, or '' for the home folder. */
export const pathOrHome: ArgCheck = (value, fail) => {
  if (value !== '') path(value, fail);
};

export const taskId: ArgCheck = (value, fail) => {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TASK_ID_LENGTH) {
    fail(`taskId must be a non-empty string of at most ${MAX_TASK_ID_LENGTH} characters, but got ${describe(value)}`);
  }
};

export const demoOptions: ArgCheck = (value, fail) => void parseOptions(demoOptionsSchema, value, 'options', fail);
export const pruneConfig: ArgCheck = (value, fail) => void pruneConfigFrom(value, fail);

export const sweepSpec: ArgCheck = (value, fail) => {
  try {
    parseSweepSpec(value, 'spec');
  } catch (error) {
    fail((error as Error).message);
  }
};

type ValueCheck = (value: unknown) => string | undefined;

const oneOf =
  (...values: string[]): ValueCheck =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `one of ${values.join(', ')}`;
const pathValue: ValueCheck = (v) => (typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH_LENGTH && !v.includes('\0') ? undefined : 'a path or name');
const integer =
  (min: number, max: number): ValueCheck =>
  (v) =>
    isIntegerIn(v, min, max) ? undefined : `an integer from ${min} to ${max}`;
/** A run option's own check (run-options.ts), for requests that share it. */
const runOptionCheck = (key: RunOptionKey): ValueCheck => {
  const { schema, info } = runOption(key);
  return (v) => (v !== undefined && schema.safeParse(v).success ? undefined : info.expects);
};
const sessionName: ValueCheck = (v) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? undefined : 'a session id or name of 1 to 200 characters');

/** A value named `what` that passes `check`. */
const named =
  (what: string, check: ValueCheck, butGot = true): ArgCheck =>
  (value, fail) => {
    const expected = check(value);
    if (expected) fail(`${what} must be ${expected}${butGot ? `, but got ${describe(value)}` : ''}`);
  };

export const sessionId: ArgCheck = named('sessionId', sessionName, false);
export const exportFormat: ArgCheck = named('format', oneOf('tfjs', 'keras-h5', 'keras', 'onnx', 'tflite'));
export const reportFormat: ArgCheck = named('format', oneOf('html', 'md', 'csv'));
export const overwrite: ArgCheck = named('overwrite', (v) => (typeof v === 'boolean' ? undefined : 'true or false'));

export const exportOptions: ArgCheck = (value, fail) => {
  const wrong =
    typeof value !== 'object' ||
    value === null ||
    Object.keys(value).some((k) => k !== 'foldBatchNorm') ||
    !['boolean', 'undefined'].includes(typeof (value as { foldBatchNorm?: unknown }).foldBatchNorm);
  if (wrong) fail(`options must be { foldBatchNorm?: true or false }, but got ${describe(value)}`);
};

export const sessionIds: ArgCheck = (value, fail) => {
  if (!Array.isArray(value) || value.length > MAX_COMPARED || value.some((id) => sessionName(id))) {
    fail(`sessionIds must be an array of at most ${MAX_COMPARED} session ids or names`);
  }
};

/** A session's id in its project (absent or null: its only unfinished one). */
export const resumableSessionId: ArgCheck = (value, fail) => {
  if (value !== undefined && value !== null && !(typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value))) {
    fail(`sessionId must be 1-64 letters, digits, '-' or '_', but got ${describe(value)}`);
  }
};

const SESSION_REF_CHECKS: Record<'path' | 'session', ValueCheck> = { path: pathValue, session: sessionName };

const taskIdValue: ValueCheck = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_TASK_ID_LENGTH ? undefined : `a task id of 1 to ${MAX_TASK_ID_LENGTH} characters`;
const SESSION_FLOW_CHECKS: Record<'project' | 'session', ValueCheck> = { project: pathValue, session: sessionName };

/** `{ task }` for a run saved into no project, else `{ project, session }`. */
export const sessionFlowRequest: ArgCheck = (value, fail) => {
  if (isPlainObject(value) && Object.hasOwn(value, 'task')) checkOptions(value, { task: taskIdValue }, ['task'], 'request', fail);
  else checkOptions(value, SESSION_FLOW_CHECKS, ['project', 'session'], 'request', fail);
};

export const sessionRefs: ArgCheck = (value, fail) => {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_COMPARED) fail(`refs must be an array of 1 to ${MAX_COMPARED} session references`);
  (value as unknown[]).forEach((ref, i) => checkOptions(ref, SESSION_REF_CHECKS, ['path'], `refs[${i}]`, fail));
};

const FLOW_REQUEST_CHECKS: Record<keyof FlowRequest, ValueCheck> = {
  model: pathValue,
  data: pathValue,
  criterion: runOptionCheck('criterion'),
  target: runOptionCheck('target'),
  steps: integer(1, 20),
  ranking: runOptionCheck('ranking'),
  protect: runOptionCheck('protect'),
  calibrationBatches: integer(1, 1000),
  seed: runOptionCheck('seed'),
};

export const flowRequest: ArgCheck = (value, fail) => checkOptions(value, FLOW_REQUEST_CHECKS, ['model'], 'request', fail);

/** Every key one of `keys`; missing ones are refused by the value checks. */
function hasOnlyKeys(value: Record<string, unknown>, ...keys: string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k)) && keys.every((k) => Object.hasOwn(value, k));
}

const CUT_REQUEST_CHECKS: Record<keyof CutRequest, ValueCheck> = {
  model: pathValue,
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
  quickTrial: (v) => (typeof v === 'boolean' ? undefined : 'true or false'),
};

export const cutRequest: ArgCheck = (value, fail) => checkOptions(value, CUT_REQUEST_CHECKS, ['model', 'metric'], 'request', fail);

const SWEEP_RUN_CHECKS: Record<'workers' | 'queue', ValueCheck> = {
  workers: (v) => (v === 'gpu' ? undefined : integer(1, 256)(v) && "an integer from 1 to 256, or 'gpu'"),
  queue: (v) => (typeof v === 'string' && /^rediss?:\/\/[^\s]{1,500}$/.test(v) ? undefined : 'a redis:// or rediss:// address'),
};

export const sweepRunOptions: ArgCheck = (value, fail) => checkOptions(value, SWEEP_RUN_CHECKS, [], 'options', fail);

/** An object whose keys all have a check; `required` keys must be present. */
function checkOptions<K extends string>(value: unknown, checks: Record<K, ValueCheck>, required: K[], what: string, fail: Fail): void {
  if (!isPlainObject(value)) fail(`${what} must be an object, but got ${describe(value)}`);
  for (const key of required) if (!Object.hasOwn(value as object, key)) fail(`${what}.${key} is required`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!Object.hasOwn(checks, key)) fail(`unknown option ${describe(key)}`);
    const expected = checks[key as K](v);
    if (expected) fail(`${what}.${key} must be ${expected}, but got ${describe(v)}`);
  }
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}
