import { ProjectTamperedError } from './project-errors.js';

/**
 * Type checks of the JSON parts of a project that later code reads field by field: a part whose hashes
 * match but whose fields have the wrong types (edited by hand, written by a broken tool) is refused here
 * with the part and field named, not with a TypeError deep inside a replay or a resumed run.
 * Fields this version does not know are left alone (a newer Pruneflow may have added them).
 */
type Check = (value: unknown) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const string: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
const number: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number');
const count: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 ? undefined : 'a whole number >= 0');
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined ? undefined : check(v);
const arrayOf =
  (check: Check, what: string): Check =>
  (v) =>
    Array.isArray(v) && v.every((x) => check(x) === undefined) ? undefined : `a list of ${what}`;
const object =
  (fields: Record<string, Check>): Check =>
  (v) => {
    if (!isObject(v)) return 'an object';
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(v[key]);
      if (problem) return `an object whose '${key}' is ${problem}`;
    }
    return undefined;
  };

const STRING_LIST = arrayOf(string, 'strings');
const INDEX_LIST = arrayOf(count, 'whole numbers');

const GROUP_REMOVAL = object({ group: optional(count), producers: STRING_LIST, channels: count, removed: INDEX_LIST });
const GROUP_SCORES = object({ producers: STRING_LIST, values: arrayOf((v) => (typeof v === 'number' || v === null ? undefined : 'a number'), 'numbers') });
const HISTORY_STEP = object({ step: count, groups: arrayOf(GROUP_REMOVAL, 'group removals'), scores: optional(arrayOf(GROUP_SCORES, 'group scores')) });
const WEIGHT_SPEC = object({ name: string, shape: INDEX_LIST, dtype: string });

const PRUNE_CONFIG: Record<string, Check> = {
  model: optional(string),
  data: optional(string),
  criterion: optional(string),
  ranking: optional(string),
  schedule: optional(string),
  target: optional(object({ metric: string, reduction: number })),
  protect: optional(number),
  roundTo: optional(count),
  trainEpochs: optional(count),
  fineTuneEpochs: optional(count),
  batchSize: optional(count),
  learningRate: optional(number),
  calibrationBatches: optional(count),
  scheduleSteps: optional(count),
  softEpochs: optional(count),
  seed: optional(number),
  sample: optional(object({ train: count, test: count })),
  layerRatios: optional((v) => (isObject(v) && Object.values(v).every((x) => typeof x === 'number') ? undefined : 'an object of numbers')),
};

const TRAINING_CHECKPOINT = object({ stage: string, epoch: count, epochs: count, random: number, optimizer: optional(arrayOf(WEIGHT_SPEC, 'weight specs')) });

const SESSION_RECORD: Record<string, Check> = {
  id: string,
  name: optional(string),
  status: string,
  state: optional(string),
  config: object(PRUNE_CONFIG),
  history: arrayOf(HISTORY_STEP, 'pruning steps ({ step, groups: [{ producers, channels, removed }] })'),
  metrics: optional(arrayOf(isObjectCheck, 'objects')),
  weightSpecs: arrayOf(WEIGHT_SPEC, 'weight specs ({ name, shape, dtype })'),
  environment: optional(isObjectCheck),
  result: optional(isObjectCheck),
  checkpoint: optional(object({ state: string, training: optional(TRAINING_CHECKPOINT) })),
  error: optional(object({ name: string, message: string })),
};

function isObjectCheck(v: unknown): string | undefined {
  return isObject(v) ? undefined : 'an object';
}

/** Refuses a session record (sessions/<id>/session.json) whose fields have the wrong types. */
export function checkSessionRecord(record: unknown, file: string, part: string): void {
  checkFields(record, SESSION_RECORD, file, part);
}

/** Refuses project.json's data set reference and baseline when their fields have the wrong types. */
export function checkProjectJson(project: unknown, file: string, part: string): void {
  checkFields(
    project,
    {
      dataset: object({ path: string, contentHash: string, format: optional(string), files: optional(count), bytes: optional(count) }),
      baseline: object({ source: string, trainEpochs: optional(count) }),
      sessions: arrayOf(string, 'session ids'),
    },
    file,
    part,
  );
}

function checkFields(value: unknown, fields: Record<string, Check>, file: string, part: string): void {
  if (!isObject(value)) throw new ProjectTamperedError(file, part, 'is not a JSON object');
  for (const [key, check] of Object.entries(fields)) {
    const problem = check(value[key]);
    if (problem) throw new ProjectTamperedError(file, part, `has a field '${key}' that is not ${problem} (found ${describe(value[key])})`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
