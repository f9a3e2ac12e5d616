import { availableParallelism } from 'node:os';
import { findGpus, type GpuSource } from './gpus.js';

/** How many workers a local sweep runs: a number of threads, or 'gpu': one per GPU. */
export type WorkerCount = number | 'gpu';

/** One worker of the local executor. */
export interface WorkerSlotPlan {
  /** How it shows in the sweep's progress ("thread 2", "GPU 1 (NVIDIA A100)"). */
  name: string;
  /** Pinned to this GPU: a process of its own with CUDA_VISIBLE_DEVICES set to it (a thread cannot be pinned). */
  gpu?: string;
}

export class NoGpuError extends Error {
  override name = 'NoGpuError';
}

/**
 * The local executor's workers: `n` threads (default one per core), or with 'gpu' one process per GPU
 * the source finds, each pinned to its GPU. No GPU found is a named error, not a silent fall back to threads.
 */
export async function planWorkers(count: WorkerCount | undefined, source: GpuSource, cores = availableParallelism()): Promise<WorkerSlotPlan[]> {
  if (count !== 'gpu') return Array.from({ length: Math.max(1, count ?? cores) }, (_, i) => ({ name: `thread ${i + 1}` }));
  const gpus = await findGpus(source);
  if (gpus.length === 0) {
    const visible = source.env.CUDA_VISIBLE_DEVICES;
    const why = visible === undefined ? 'nvidia-smi lists none or is not installed' : `CUDA_VISIBLE_DEVICES="${visible}" names none`;
    throw new NoGpuError(`workers "gpu": no NVIDIA GPU found (${why}); give a number of worker threads instead`);
  }
  return gpus.map((gpu) => ({ name: gpu.label, gpu: gpu.pin }));
}
