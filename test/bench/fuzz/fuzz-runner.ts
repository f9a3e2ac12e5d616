import { ZipFormatError } from '../../../core/data/archive/zip.js';
import { DatasetFormatError } from '../../../core/data/dataset-errors.js';
import { DatasetNotFoundError } from '../../../core/data/file-tree.js';
import { DatasetNotRecognisedError } from '../../../core/data/formats/index.js';
import { InputLimitError, setInputLimits } from '../../../core/data/input-limits.js';
import { ModelFileTooComplexError, ModelFormatError, ModelNotRecognisedError, UnsupportedLayerError } from '../../../core/models/io/model-errors.js';
import { NotAProjectError, ProjectTamperedError, ProjectTruncatedError, ProjectVersionError, ReplayError } from '../../../core/project/project-errors.js';
import { setHdf5Reader } from '../../../core/models/io/hdf5-reader.js';
import { nodeHdf5Reader } from '../../../core/node/hdf5-thread.js';
import type { FuzzTarget, Seed } from './fuzz-targets.js';
import { applyMutations, type Mutant } from './mutate.js';

/** The errors a parser may answer bad input with: each names the file and what is wrong. */
const NAMED_ERRORS = [
  DatasetFormatError,
  DatasetNotRecognisedError,
  DatasetNotFoundError,
  InputLimitError,
  ZipFormatError,
  ModelFormatError,
  ModelFileTooComplexError,
  ModelNotRecognisedError,
  UnsupportedLayerError,
  NotAProjectError,
  ProjectTamperedError,
  ProjectTruncatedError,
  ProjectVersionError,
  ReplayError,
];

/**
 * Limits for fuzzing: a mutant may claim anything; the parser must stop at these. A mutated HDF5 file that
 * hangs the HDF5 library is stopped after maxParseSeconds (the worker thread of core/node/hdf5-thread.ts).
 */
export const FUZZ_LIMITS = { maxUnpackedBytes: 64 * 2 ** 20, maxArchiveEntries: 1000, maxImagePixels: 4_000_000, maxParseSeconds: 4 };

/** Each mutant must finish within this and raise the process's peak memory by no more than this. */
export interface Budget {
  ms: number;
  peakGrowthBytes: number;
}

export type Outcome = { kind: 'valid' } | { kind: 'named'; name: string } | { kind: 'raw'; error: unknown };

export interface MutantResult {
  outcome: Outcome;
  ms: number;
  /** How much this mutant raised the process's peak resident memory (0 when it stayed under the old peak). */
  peakGrowthBytes: number;
}

/** The fuzz limits, and HDF5 read in a worker thread that can be stopped (needs dist/ built: npm run build:node). */
export function useFuzzLimits(): void {
  setInputLimits(FUZZ_LIMITS);
  setHdf5Reader(nodeHdf5Reader());
}

export function mutantFiles(seed: Seed, mutant: Mutant): [string, Uint8Array][] {
  const which = mutant.file % seed.files.length;
  return seed.files.map(([name, bytes], i): [string, Uint8Array] => [name, i === which ? applyMutations(bytes, mutant.mutations) : bytes]);
}

/** Reads one mutant of `seed` and says how it ended, how long it took and what it cost in memory. */
export async function runMutant(target: FuzzTarget, seed: Seed, mutant: Mutant): Promise<MutantResult> {
  const files = target.mutate ? await target.mutate(seed, mutant) : mutantFiles(seed, mutant);
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const start = performance.now();
  let outcome: Outcome;
  try {
    await target.read(files, seed.label);
    outcome = { kind: 'valid' };
  } catch (error) {
    outcome = NAMED_ERRORS.some((named) => error instanceof named) ? { kind: 'named', name: (error as Error).name } : { kind: 'raw', error };
  }
  const ms = performance.now() - start;
  return { outcome, ms, peakGrowthBytes: process.resourceUsage().maxRSS * 1024 - peakBefore };
}

/** Why a result breaks the rules (a raw exception, over time, over memory), or undefined when it keeps them. */
export function violation(result: MutantResult, budget: Budget): string | undefined {
  const { outcome, ms, peakGrowthBytes } = result;
  if (outcome.kind === 'raw') {
    const error = outcome.error;
    return `raw exception: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 6).join('\n')}` : String(error)}`;
  }
  if (ms > budget.ms) return `took ${ms.toFixed(0)} ms, over the budget of ${budget.ms} ms`;
  if (peakGrowthBytes > budget.peakGrowthBytes)
    return `raised peak memory by ${(peakGrowthBytes / 2 ** 20).toFixed(0)} MiB, over the budget of ${budget.peakGrowthBytes / 2 ** 20} MiB`;
  return undefined;
}
