import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setInputLimits } from '../../core/data/input-limits.js';
import { setHdf5Reader } from '../../core/models/io/hdf5-reader.js';
import { hdf5WorkerUrl } from '../../core/node/hdf5-thread.js';
import { buildNodeIfStale } from '../build/run.js';
import { type Budget, runMutant, useFuzzLimits, violation } from '../bench/fuzz/fuzz-runner.js';
import { FUZZ_TARGETS, prepareBackend, type Seed } from '../bench/fuzz/fuzz-targets.js';
import { mutant } from '../bench/fuzz/mutate.js';
import { REGRESSIONS } from '../bench/fuzz/regressions.js';

/**
 * Mutation fuzzing of every parser that reads user files (issue 19): mutants of valid files (bit flips,
 * truncation, splices, length fields) must give a named error or a valid result, never a raw exception,
 * within a time and memory budget. 200 mutants per format here (PRUNEFLOW_FUZZ_RUNS for more), with a fixed seed so a failure
 * repeats; `npm run bench:fuzz` runs 10,000 per format. Bugs it found are kept as regression cases.
 */
const RUNS = Number(process.env.PRUNEFLOW_FUZZ_RUNS ?? 200);
const FC_SEED = Number(process.env.PRUNEFLOW_FUZZ_SEED ?? 19);
// Generous: a hang or a runaway allocation fails, a slow machine does not. Speed is the benchmark's.
const BUDGET: Budget = { ms: 10_000, peakGrowthBytes: 768 * 2 ** 20 };

beforeAll(async () => {
  // HDF5 is read in the compiled worker thread (dist/core/node/hdf5-worker.js), which stops a mutant that hangs
  // the HDF5 library; run alone, this file rebuilds dist when a core source is newer than the worker.
  await buildNodeIfStale(hdf5WorkerUrl());
  await prepareBackend();
  useFuzzLimits();
});
afterAll(() => {
  setInputLimits({});
  setHdf5Reader();
});

describe('mutation fuzzing of the file parsers', () => {
  for (const target of FUZZ_TARGETS) {
    it(`${target.id}: every mutant gives a named error or a valid result`, async () => {
      const seeds: Seed[] = await target.seeds();
      // The seeds themselves are valid: otherwise every mutant would fail for the same reason.
      for (const seed of seeds) expect((await runMutant(target, seed, { file: 0, mutations: [] })).outcome, seed.label).toEqual({ kind: 'valid' });
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...seeds), mutant, async (seed, m) => {
          const result = await runMutant(target, seed, m);
          const key = result.outcome.kind === 'named' ? result.outcome.name : result.outcome.kind;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          const problem = violation(result, BUDGET);
          if (problem) throw new Error(`${target.id} ${seed.label}: ${problem}`);
        }),
        { numRuns: RUNS, seed: FC_SEED, endOnFailure: true },
      );
      // Mutants must reach past the first check: most fail, some pass (changes in unchecked bytes).
      expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(RUNS);
    });
  }

  it('keeps the mutants that found bugs as regression cases', async () => {
    for (const { target: id, seed: label, mutant: m, expect: expected } of REGRESSIONS) {
      const target = FUZZ_TARGETS.find((t) => t.id === id)!;
      const seed = (await target.seeds()).find((s) => s.label === label)!;
      const result = await runMutant(target, seed, m);
      expect(violation(result, BUDGET), `${id} ${label}`).toBeUndefined();
      expect(result.outcome.kind === 'named' ? result.outcome.name : result.outcome.kind, `${id} ${label}`).toBe(expected);
    }
  });
});
