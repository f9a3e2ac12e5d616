import { execFile } from 'node:child_process';

/** A GPU a sweep worker can be pinned to: `pin` is what CUDA_VISIBLE_DEVICES takes for it (a UUID or an index). */
export interface Gpu {
  pin: string;
  /** "GPU 0 (NVIDIA H100)": how its worker shows in the sweep's progress. */
  label: string;
}

/**
 * Where the GPUs of this machine are read: the environment (CUDA_VISIBLE_DEVICES) and NVIDIA's own
 * listing. The node source runs `nvidia-smi`; tests hand in a listing as text.
 */
export interface GpuSource {
  env: Readonly<Record<string, string | undefined>>;
  /** `nvidia-smi --query-gpu=index,uuid,name --format=csv,noheader` output; undefined where it cannot run (no driver, not installed). */
  listing(): Promise<string | undefined>;
}

export const NVIDIA_SMI_ARGS = ['--query-gpu=index,uuid,name', '--format=csv,noheader'] as const;

export const nodeGpuSource: GpuSource = {
  env: process.env,
  listing: () =>
    new Promise((resolve) => {
      execFile('nvidia-smi', [...NVIDIA_SMI_ARGS], { timeout: 10_000 }, (error, stdout) => resolve(error ? undefined : stdout));
    }),
};

export class GpuListingError extends Error {
  override name = 'GpuListingError';
}

interface ListedGpu {
  index: string;
  uuid: string;
  name: string;
}

/** nvidia-smi's CSV lines ("0, GPU-8a5c…, NVIDIA H100 80GB HBM3"); a line of another shape is a named error. */
export function parseGpuListing(text: string): ListedGpu[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, i) => {
      const [index, uuid, ...name] = line.split(',').map((field) => field.trim());
      if (!/^\d+$/.test(index ?? '') || !uuid?.startsWith('GPU-') || name.length === 0)
        throw new GpuListingError(`nvidia-smi line ${i + 1}: expected "index, uuid, name", but got "${line}"`);
      return { index, uuid, name: name.join(', ') };
    });
}

/**
 * The GPUs sweep workers may use, in order. nvidia-smi lists the machine's; CUDA_VISIBLE_DEVICES, when
 * set, narrows them the way CUDA reads it (indexes or UUID prefixes, up to the first entry that names no
 * GPU; empty or -1: none). Without a listing, the variable's entries are taken as given. Each GPU is
 * pinned by its UUID where known: CUDA's order of indexes may differ from nvidia-smi's.
 */
export async function findGpus(source: GpuSource): Promise<Gpu[]> {
  const text = await source.listing();
  const listed = text === undefined ? undefined : parseGpuListing(text);
  const visible = source.env.CUDA_VISIBLE_DEVICES;
  if (visible === undefined) return (listed ?? []).map((gpu) => ({ pin: gpu.uuid, label: `GPU ${gpu.index} (${gpu.name})` }));
  const gpus: Gpu[] = [];
  for (const entry of visible.split(',').map((e) => e.trim())) {
    const gpu = listed
      ? listed
          .filter((g) => g.index === entry || (entry.startsWith('GPU-') && g.uuid.startsWith(entry)))
          .map((g) => ({ pin: g.uuid, label: `GPU ${g.index} (${g.name})` }))[0]
      : /^(\d+|GPU-[0-9a-fA-F-]+)$/.test(entry)
        ? { pin: entry, label: entry.startsWith('GPU-') ? entry : `GPU ${entry}` }
        : undefined;
    // CUDA stops at an entry that names no GPU (or one named twice).
    if (!gpu || gpus.some((g) => g.pin === gpu.pin)) break;
    gpus.push(gpu);
  }
  return gpus;
}
