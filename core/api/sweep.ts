/**
 * Sweeps: a grid of pruning sessions over one project. The spec (JSON) names the project, the axes
 * (criteria, targets, schedules, fine-tuning epochs, seeds), settings fixed for every session (checked by
 * the run options' own schema) and an early-stop rule. `expandSweep` turns it into a deterministic list of
 * jobs, each with a session id derived from its settings: the same settings in the same project are the
 * same session, so a sweep run twice (or a job run twice by two workers) writes each session once.
 */
import { z } from 'zod';
import { parseOptions, pathSchema, type PruneConfig, pruneConfigFrom, pruneConfigSchema, targetSchema } from './run-options.js';
import type { SerializedError } from './contract.js';

const MAX_AXIS_VALUES = 100;
export const MAX_SWEEP_JOBS = 10_000;

/** Options a sweep sets itself: where each session comes from and goes, and what only a single run may ask for. */
const NOT_FIXED = { model: true, data: true, project: true, sessionName: true, export: true, checkpointDir: true, trainEpochs: true } as const;
/** The axes' options: given as an axis or as a fixed setting, never both. */
const AXIS_OPTIONS = { criteria: 'criterion', targets: 'target', schedules: 'schedule', fineTuneEpochs: 'fineTuneEpochs', seeds: 'seed' } as const;

/** Settings every session of the sweep shares: any run option but those in NOT_FIXED (the axes' only when not an axis). */
export const sweepFixedSchema = pruneConfigSchema.omit(NOT_FIXED);

const axis = <S extends z.ZodType>(schema: S) =>
  z
    .array(schema)
    .min(1)
    .max(MAX_AXIS_VALUES)
    .refine((values) => new Set(values.map((v) => JSON.stringify(v))).size === values.length, 'values must differ');

const shape = pruneConfigSchema.shape;

export const sweepAxesSchema = z.strictObject({
  criteria: axis(shape.criterion.unwrap()).optional(),
  targets: axis(targetSchema).optional(),
  schedules: axis(shape.schedule.unwrap()).optional(),
  fineTuneEpochs: axis(shape.fineTuneEpochs.unwrap()).optional(),
  seeds: axis(shape.seed.unwrap()).optional(),
});

export const sweepSpecSchema = z.strictObject({
  /** The project file: its baseline and data set are every session's; the sessions are written into it. */
  project: pathSchema(),
  axes: sweepAxesSchema,
  fixed: z.record(z.string(), z.unknown()).optional(),
  /**
   * Stop a session whose accuracy right after pruning (before fine-tuning) is below the best finished
   * session's at the same cut by more than `margin` (a share: 0.05 is five points of top-1).
   */
  earlyStop: z.strictObject({ margin: z.number().min(0).max(1) }).optional(),
  /** Worker threads of the local executor (default: one per core), or "gpu": one process per GPU; `--workers` wins. */
  workers: z.union([z.number().int().min(1).max(256), z.literal('gpu')]).optional(),
});

export type SweepAxes = z.output<typeof sweepAxesSchema>;
/** The fixed settings as given (checked); expansion fills in the defaults. */
export type SweepFixed = Partial<z.input<typeof sweepFixedSchema>>;
export type SweepSpec = Omit<z.output<typeof sweepSpecSchema>, 'fixed'> & { fixed: SweepFixed };

export class SweepSpecError extends Error {
  override name = 'SweepSpecError';
}

/** The spec checked, with fixed settings checked by the run options' schema; SweepSpecError says what and where. */
export function parseSweepSpec(value: unknown, where = 'sweep'): SweepSpec {
  const fail = (why: string): never => {
    throw new SweepSpecError(`${where}: ${why}`);
  };
  const result = sweepSpecSchema.safeParse(value);
  if (!result.success) {
    const [issue] = result.error.issues;
    fail(`${issue.path.length ? issue.path.join('.') : 'the spec'}: ${issue.message}`);
  }
  const spec = result.data!;
  const fixed = spec.fixed ?? {};
  const reserved = Object.keys(fixed).find((key) => Object.hasOwn(NOT_FIXED, key));
  if (reserved) fail(`fixed.${reserved} is set by the sweep itself (the project's baseline and data set; no export or baseline training per session)`);
  // Checked by the run options' schema (its messages), kept as given: expansion fills in the defaults.
  parseOptions(sweepFixedSchema, fixed, 'fixed', fail);
  for (const [axisName, option] of Object.entries(AXIS_OPTIONS)) {
    if (spec.axes[axisName as keyof SweepAxes] && Object.hasOwn(spec.fixed ?? {}, option))
      fail(`${option} is an axis (axes.${axisName}); leave it out of fixed`);
  }
  const count = jobCount(spec.axes);
  if (count > MAX_SWEEP_JOBS) fail(`the axes make ${count} sessions; at most ${MAX_SWEEP_JOBS}`);
  return { ...spec, fixed: fixed as SweepFixed };
}

/** How many sessions the axes make (an absent axis is one value: the fixed setting or the default). */
export function jobCount(axes: SweepAxes): number {
  return Object.values(axes).reduce((n, values) => n * (values?.length ?? 1), 1);
}

/** One session of a sweep. */
export interface SweepJob {
  /** 0-based place in the sweep's order. */
  index: number;
  /** "sw-" and 12 hex digits of the SHA-256 of its settings: the session's id in the project, and the job's idempotency key. */
  sessionId: string;
  name: string;
  /** The cut it aims for ("flops:0.5"): the early-stop rule compares sessions at the same cut. */
  cut: string;
  /** Its whole run config (the project's model and data set, no baseline training). */
  config: PruneConfig;
}

/** Where the sessions start from: the project's baseline source and data set. */
export interface SweepBase {
  model: string;
  data: string;
}

/**
 * The jobs of a sweep in a fixed order (criteria, then targets, schedules, fine-tuning epochs, seeds),
 * each a full run config checked by the run options' schema.
 */
export async function expandSweep(spec: SweepSpec, base: SweepBase): Promise<SweepJob[]> {
  const defaults = pruneConfigFrom({ ...base, ...spec.fixed }, (why) => {
    throw new SweepSpecError(`sweep: ${why}`);
  });
  const {
    criteria = [defaults.criterion],
    targets = [defaults.target],
    schedules = [defaults.schedule],
    fineTuneEpochs = [defaults.fineTuneEpochs],
    seeds = [defaults.seed],
  } = spec.axes;
  const jobs: SweepJob[] = [];
  for (const criterion of criteria)
    for (const target of targets)
      for (const schedule of schedules)
        for (const epochs of fineTuneEpochs)
          for (const seed of seeds) {
            const settings = { ...defaults, trainEpochs: 0, criterion, target, schedule, fineTuneEpochs: epochs, seed };
            const name =
              `${criterion} ${Math.round(target.reduction * 1000) / 10}% ${target.metric === 'flops' ? 'FLOPs' : 'params'}, ` +
              `${schedule}, ${epochs} fine-tune epoch${epochs === 1 ? '' : 's'}, seed ${seed}`;
            const config = pruneConfigFrom({ ...settings, sessionName: name }, (why) => {
              throw new SweepSpecError(`sweep job ${jobs.length + 1}: ${why}`);
            });
            jobs.push({ index: jobs.length, sessionId: await sessionIdOf(settings), name, cut: cutOf(target), config });
          }
  return jobs;
}

/** The cut as a key: metric and share. */
export const cutOf = (target: PruneConfig['target']) => `${target.metric}:${target.reduction}`;

/**
 * A session's id from its settings: the data set's path is left out (a remote worker reads the same data
 * elsewhere), the rest in a canonical order.
 */
async function sessionIdOf(settings: PruneConfig): Promise<string> {
  const { data: _data, sessionName: _name, ...rest } = settings;
  const bytes = new TextEncoder().encode(canonicalJson(rest));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `sw-${Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The sweep's id: its project and its jobs. */
export async function sweepIdOf(project: string, jobs: readonly SweepJob[]): Promise<string> {
  const bytes = new TextEncoder().encode(`${project}\n${jobs.map((j) => j.sessionId).join('\n')}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `sweep-${Array.from(digest.subarray(0, 5), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The early-stop rule: below the best finished session at the same cut by more than the margin. */
export function stopsEarly(accuracy: number, best: number | undefined, margin: number | undefined): boolean {
  return margin !== undefined && best !== undefined && accuracy < best - margin;
}

export type SweepJobStatus = 'queued' | 'running' | 'done' | 'failed' | 'stopped-early' | 'cancelled';

/** One job as the Sweep screen and the CLI show it. */
export interface SweepJobView {
  sessionId: string;
  name: string;
  status: SweepJobStatus;
  /** The worker running it (or that ran it). */
  worker?: string;
  /** The run's last progress line. */
  message?: string;
  /** Tries so far (queue executor: retries after a failure or a lost worker). */
  attempts?: number;
  /** Top-1 right after pruning, and after fine-tuning (done sessions). */
  pruneOnlyAccuracy?: number;
  accuracy?: number;
  /** Share of the target metric removed, as measured. */
  cut?: number;
  /** Already in the project before this sweep ran: not run again. */
  existing?: boolean;
  error?: SerializedError;
}

export interface SweepSummary {
  sweepId: string;
  project: string;
  executor: 'local' | 'queue';
  jobs: SweepJobView[];
  /** Sessions this run wrote into the project; results that arrived twice for one session were written once. */
  written: number;
  duplicates: number;
  seconds: number;
  /** Why the sweep stopped before its jobs ran (no project, a spec that does not fit it). */
  error?: SerializedError;
}

export type SweepEvent = { type: 'sweep-job'; sweepId: string; job: SweepJobView } | { type: 'sweep-done'; sweepId: string; summary: SweepSummary };

/** Where a sweep's jobs run: worker threads here (the default), or workers on any machine through a Redis queue. */
export interface SweepRunOptions {
  /** Worker threads of the local executor (default one per core), or 'gpu': one process per GPU, each pinned to its GPU. */
  workers?: number | 'gpu';
  /** redis://host:port: enqueue on BullMQ for `pruneflow worker` processes. */
  queue?: string;
}

/** What the count and the list look like before a sweep starts (a Sweep screen shows them). */
export interface SweepPlan {
  sweepId: string;
  jobs: { sessionId: string; name: string; existing: boolean }[];
}

/**
 * A sweep running on the engine's host, as a Sweep screen opened later (a reload, another window) finds
 * it: what it was started with and every job as it stands; later changes arrive as SweepEvent.
 */
export interface RunningSweep {
  sweepId: string;
  spec: SweepSpec;
  options: SweepRunOptions;
  executor: 'local' | 'queue';
  /** In the sweep's order. */
  jobs: SweepJobView[];
  /** Cancel was asked: its jobs are stopping. */
  cancelling: boolean;
}

/**
 * The sweep calls, for the Sweep screen (the CLI `pruneflow sweep` runs the same coordinator).
 * Events arrive as SweepEvent for the id `startSweep` returned.
 */
export interface SweepApi {
  planSweep(spec: unknown): Promise<SweepPlan>;
  startSweep(spec: unknown, options?: SweepRunOptions): Promise<{ sweepId: string }>;
  cancelSweep(sweepId: string): Promise<void>;
  /** The sweeps running now (at most one per host): a screen opened after they started shows them again. */
  runningSweeps(): Promise<RunningSweep[]>;
  onSweepEvent(listener: (event: SweepEvent) => void): () => void;
}
