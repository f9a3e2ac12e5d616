import fc from 'fast-check';
import { runMutant, useFuzzLimits, violation } from './fuzz-runner.js';
import { FUZZ_TARGETS, prepareBackend } from './fuzz-targets.js';
import { mutant } from './mutate.js';

/**
 * One target's mutants, from `start` on, run in this process; the benchmark (fuzz.ts) watches it.
 * Before each mutant it prints `M <i> <json>`, after it `R <i> <outcome> <ms> <peak MiB> [problem]`, so a
 * mutant that hangs is known by the last `M` line when the parent kills this process.
 */
const [id, runsText, seedText, startText] = process.argv.slice(2);
const BUDGET = { ms: Number(process.env.FUZZ_BUDGET_MS ?? 5000), peakGrowthBytes: 512 * 2 ** 20 };

await prepareBackend();
useFuzzLimits();
const target = FUZZ_TARGETS.find((t) => t.id === id);
if (!target) throw new Error(`no fuzz target '${id}'`);
const seeds = await target.seeds();
const runs = Number(runsText);
const samples = fc.sample(fc.tuple(fc.nat({ max: seeds.length - 1 }), mutant), { numRuns: runs, seed: Number(seedText) });
for (let i = Number(startText); i < runs; i++) {
  const [s, m] = samples[i];
  process.stdout.write(`M ${i} ${JSON.stringify({ seed: seeds[s].label, mutant: m })}\n`);
  const result = await runMutant(target, seeds[s], m);
  const outcome = result.outcome.kind === 'named' ? result.outcome.name : result.outcome.kind;
  const problem = violation(result, BUDGET);
  process.stdout.write(
    `R ${i} ${outcome} ${result.ms.toFixed(1)} ${(result.peakGrowthBytes / 2 ** 20).toFixed(0)}${problem ? ` ${JSON.stringify(problem)}` : ''}\n`,
  );
}
