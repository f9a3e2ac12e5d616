import type { SweepJob } from '../../api/sweep.js';
import type { TaskProgress } from '../../api/contract.js';
import { BACKEND_ENV_VARIABLE, resolveBackendPreference } from '../../backend/backend-preference.js';
import { selectBackend } from '../../backend/select-backend.js';
import { builtinSampleTree } from '../../data/builtin-sample.js';
import { hashFileTree } from '../../project/dataset-hash.js';
import type { Project } from '../../project/project.js';
import { parseProject } from '../../project/project-codec.js';
import { DatasetChangedError, DatasetMismatchError } from '../../project/project-errors.js';
import { BUILTIN_DATA } from '../../session/run-inputs.js';
import { runSweepJob, type SweepJobOutcome } from '../../session/sweep-job.js';
import { nodeCandidates } from '../node-backends.js';
import { nodeRunHost } from '../node-engine.js';
import { openDataSource } from '../open-data-source.js';
import { readSettings } from '../settings.js';

export interface JobRunnerOptions {
  /** This worker's path to the project's data set (default: the path the project names). */
  dataPath?: string;
  backendFlag?: string;
  /** Which host the session records say ran them. */
  host: string;
}

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: (progress: TaskProgress) => void;
  bestAtCut?: (cut: string) => Promise<number | undefined>;
  margin?: number;
}

/**
 * Runs sweep jobs in this process: one backend, chosen once; each sweep's project parsed once; the data
 * set's content hash checked against the project's before the first job of a sweep (a worker whose data
 * differ refuses with DatasetMismatchError, or DatasetChangedError at the project's own path). One engine
 * per job: no training replicas, the sweep itself keeps the cores busy.
 */
export function createJobRunner(options: JobRunnerOptions) {
  const host = { ...nodeRunHost('user'), trainingReplicas: undefined, projects: undefined };
  let backend: Promise<string> | undefined;
  const seeds = new Map<string, Promise<Project>>();
  const checked = new Map<string, Promise<void>>();

  const ready = () =>
    (backend ??= readSettings().then(async (settings) => {
      const preference = resolveBackendPreference({ flag: options.backendFlag, environment: process.env[BACKEND_ENV_VARIABLE], setting: settings.backend });
      return (await selectBackend(nodeCandidates, preference)).active;
    }));

  const checkData = (seed: Project): Promise<void> => {
    const path = options.dataPath ?? seed.dataset.path;
    const key = `${path}\n${seed.dataset.contentHash}`;
    let check = checked.get(key);
    if (!check) {
      check = (async () => {
        const tree = path === BUILTIN_DATA ? await builtinSampleTree(host.readAsset) : await openDataSource(path);
        const { contentHash } = await hashFileTree(tree);
        if (contentHash === seed.dataset.contentHash) return;
        if (options.dataPath) throw new DatasetMismatchError(path, seed.dataset.contentHash, contentHash);
        throw new DatasetChangedError(path, seed.dataset.contentHash, contentHash);
      })();
      checked.set(key, check);
      check.catch(() => checked.delete(key));
    }
    return check;
  };

  return {
    /** The project of a sweep from its seed bytes (parsed once per sweep). */
    seed(sweepId: string, bytes: () => Promise<Uint8Array>): Promise<Project> {
      let seed = seeds.get(sweepId);
      if (!seed) {
        seed = bytes().then((b) => parseProject(b, `sweep ${sweepId}`));
        seeds.set(sweepId, seed);
        seed.catch(() => seeds.delete(sweepId));
      }
      return seed;
    },
    async run(job: SweepJob, sweepId: string, seed: Project, hooks: JobHooks): Promise<SweepJobOutcome> {
      const active = await ready();
      await checkData(seed);
      return runSweepJob(job, sweepId, seed, {
        ...host,
        host: options.host,
        backend: active,
        signal: hooks.signal,
        onProgress: hooks.onProgress,
        bestAtCut: hooks.bestAtCut,
        margin: hooks.margin,
        dataPath: options.dataPath,
      });
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
