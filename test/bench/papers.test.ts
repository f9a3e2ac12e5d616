import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FULL_PROTOCOL, jobKey, jobsFromArgs, PapersArgumentError, type PapersJob, papersJobs, protocolFromArgs, TINY_PROTOCOL } from './papers-config.js';
import { pruneflowConfig } from './papers-setup.js';
import { papersMarkdown, stat, verdicts, verdictText } from './papers-report.js';
import { type PapersResults, PapersResultsMismatchError, type PapersRun, PapersStore } from './papers-store.js';

const folders: string[] = [];
const scratch = () => {
  const folder = mkdtempSync(join(tmpdir(), 'papers-store-'));
  folders.push(folder);
  return join(folder, 'results.json');
};
afterEach(() => folders.splice(0).forEach((f) => rmSync(f, { recursive: true, force: true })));

function run(job: PapersJob, accuracy: number, baselineAccuracy = 0.77): PapersRun {
  return {
    ...job,
    accuracy,
    baselineAccuracy,
    pruneOnlyAccuracy: 0.4,
    parameters: 1e5,
    baselineParameters: 2.75e5,
    flops: (1 - job.cut) * 4.1e7,
    baselineFlops: 4.1e7,
    seconds: 10,
    loadAverage: 2,
    finishedAt: '2026-12-07T00:00:00Z',
  };
}
const pf = (method: string, cut: number, seed: number): PapersJob => ({ engine: 'pruneflow', method, cut, seed });
const tp = (method: string, cut: number, seed: number): PapersJob => ({ engine: 'torch-pruning', method, cut, seed });

describe("papers' protocol benchmark", () => {
  it('runs each criterion beside its Torch-Pruning counterpart at 50% first, the parity pair after the L1 pair, then the other seeds and cuts', () => {
    const jobs = papersJobs(FULL_PROTOCOL);
    // 5 Pruneflow + 3 Torch-Pruning criteria: 3 seeds at 50% and 70%, one at 30%; and the parity pair at each seed of 50%.
    expect(jobs).toHaveLength(8 * 3 + 8 * 3 + 8 + 2 * 3);
    expect(new Set(jobs.map(jobKey)).size).toBe(jobs.length);
    expect(jobs.slice(0, 10).map(jobKey)).toEqual([
      'pruneflow/cip@0.5#1',
      // Torch-Pruning's L1 (MagnitudeImportance) scores the whole group: Pruneflow's group-l1.
      'pruneflow/group-l1@0.5#1',
      'torch-pruning/l1@0.5#1',
      'parity-pruneflow/l1@0.5#1',
      'parity-torch/l1@0.5#1',
      'pruneflow/l1@0.5#1',
      'pruneflow/lamp@0.5#1',
      'torch-pruning/lamp@0.5#1',
      'pruneflow/random@0.5#1',
      'torch-pruning/random@0.5#1',
    ]);
    expect(jobs.filter((j) => j.cut === 0.5 && j.engine === 'pruneflow').map((j) => j.seed)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    // Seeds 2 and 3 fine-tune the same pruned network again, after their row.
    expect(jobs.filter((j) => j.engine.startsWith('parity')).map(jobKey)).toEqual(
      [1, 2, 3].flatMap((seed) => [`parity-pruneflow/l1@0.5#${seed}`, `parity-torch/l1@0.5#${seed}`]),
    );
    expect(jobs.findIndex((j) => j.engine === 'parity-pruneflow' && j.seed === 2)).toBe(jobs.findIndex((j) => j.cut === 0.5 && j.seed === 3) - 2);
    // --methods keeps those criteria's jobs in both engines, in the same order.
    expect(
      jobsFromArgs(jobs, ['--methods', 'group-l1,l1'])
        .filter((j) => j.cut === 0.5 && j.seed === 1)
        .map(jobKey),
    ).toEqual(['pruneflow/group-l1@0.5#1', 'torch-pruning/l1@0.5#1', 'parity-pruneflow/l1@0.5#1', 'parity-torch/l1@0.5#1', 'pruneflow/l1@0.5#1']);
    // engine/criterion keeps one engine's jobs only.
    expect(
      jobsFromArgs(jobs, ['--methods=pruneflow/group-l1,torch-pruning/l1'])
        .filter((j) => j.cut === 0.7 && j.seed === 2)
        .map(jobKey),
    ).toEqual(['pruneflow/group-l1@0.7#2', 'torch-pruning/l1@0.7#2']);
    expect(() => jobsFromArgs(jobs, ['--methods=torch-pruning/group-l1'])).toThrow(PapersArgumentError);
    // --cuts keeps those cuts' jobs, with or without --methods.
    expect(jobsFromArgs(jobs, ['--cuts', '0.7', '--methods', 'pruneflow/cip:writerSpread=on']).map(jobKey)).toEqual(
      [1, 2, 3].map((seed) => `pruneflow/cip:writerSpread=on@0.7#${seed}`),
    );
    // A variant (CIP with switches, + between them) runs where cip runs, right after it.
    expect(
      jobsFromArgs(jobs, ['--methods=cip,cip:writerSpread=on+groupKernel=on'])
        .filter((j) => j.cut === 0.5)
        .map(jobKey)
        .slice(0, 3),
    ).toEqual(['pruneflow/cip@0.5#1', 'pruneflow/cip:writerSpread=on+groupKernel=on@0.5#1', 'pruneflow/cip@0.5#2']);
    expect(() => jobsFromArgs(jobs, ['--methods=cip:writerSpread=maybe'])).toThrow(/writerSpread/);
    expect(() => jobsFromArgs(jobs, ['--methods=cip:schedule=sometimes'])).toThrow(PapersArgumentError);
    expect(() => jobsFromArgs(jobs, ['--methods=torch-pruning/cip:alpha=0'])).toThrow(PapersArgumentError);
    expect(new Set(jobsFromArgs(jobs, ['--cuts=0.3,0.7']).map((j) => j.cut))).toEqual(new Set([0.3, 0.7]));
    expect(() => jobsFromArgs(jobs, ['--cuts', '0.6'])).toThrow(/--cuts 0.6/);
    expect(jobsFromArgs(jobs, [])).toEqual(jobs);
    expect(() => jobsFromArgs(jobs, ['--methods=l3'])).toThrow(PapersArgumentError);
    expect(papersJobs(TINY_PROTOCOL)).toHaveLength(10);
    expect(protocolFromArgs(['--budget', 'tiny'])).toBe(TINY_PROTOCOL);
    expect(protocolFromArgs([])).toBe(FULL_PROTOCOL);
    expect(() => protocolFromArgs(['--budget=huge'])).toThrow(/tiny or full/);
  });

  it("runs a method `criterion:switches` as that criterion with CIP's switches, as the CLI's --cip reads them", () => {
    const config = (method: string) => pruneflowConfig(FULL_PROTOCOL, 'model.json', 'data', method, 0.7, 2);
    expect(config('cip:writerSpread=on+alpha=0.5')).toMatchObject({ criterion: 'cip', cip: { writerSpread: true, alpha: 0.5 }, seed: 2 });
    expect(config('cip').cip).toBeUndefined();
    expect(config('group-l1')).toMatchObject({ criterion: 'group-l1', target: { metric: 'flops', reduction: 0.7 } });
    expect(() => config('cip:writerSpread=maybe')).toThrow(/writerSpread/);
    // The continuous schedule in the protocol's 8 epochs: 4 of soft gates, 4 of fine-tuning.
    expect(config('cip:schedule=continuous+alpha=0.25')).toMatchObject({ cip: { alpha: 0.25 }, schedule: 'continuous', softEpochs: 4, fineTuneEpochs: 4 });
    expect(config('cip:schedule=continuous')).not.toHaveProperty('cip');
    expect(config('cip:alpha=0').schedule).toBe('one-shot');
    // The iterative schedule re-scores between steps without training: all 8 epochs fine-tune the result.
    expect(config('cip:schedule=iterative+steps=4')).toMatchObject({ schedule: 'iterative', scheduleSteps: 4, softEpochs: 0, fineTuneEpochs: 8 });
    expect(config('cip:schedule=iterative').scheduleSteps).toBe(3);
    expect(config('cip:schedule=iterative+gap=2')).toMatchObject({ scheduleSteps: 3, softEpochs: 2, fineTuneEpochs: 6 });
    expect(() => config('cip:schedule=iterative+gap=8')).toThrow(/fewer than the protocol's 8/);
    expect(() => config('cip:gap=2')).toThrow(/goes with schedule=iterative/);
    expect(() => config('cip:schedule=gradual')).toThrow(/schedule=continuous or schedule=iterative/);
    expect(() => config('cip:steps=4')).toThrow(/goes with schedule=iterative/);
    expect(() => config('cip:schedule=iterative+steps=1')).toThrow(/2 or more/);
  });

  it('keeps finished runs on disk so a restart skips them, and refuses runs of another protocol', async () => {
    const path = scratch();
    const first = new PapersStore(path, TINY_PROTOCOL);
    await first.fail(pf('l1', 0.5, 1), 'Boom: once');
    await first.add(run(pf('l1', 0.5, 1), 0.7));
    const again = new PapersStore(path, TINY_PROTOCOL);
    expect(again.has(pf('l1', 0.5, 1))).toBe(true);
    expect(again.has(tp('l1', 0.5, 1))).toBe(false);
    expect(again.results.failures).toEqual([]);
    expect(() => new PapersStore(path, FULL_PROTOCOL)).toThrow(PapersResultsMismatchError);
    // More seeds or criteria are the same protocol, measured further: the runs stay.
    const moreSeeds = new PapersStore(path, { ...TINY_PROTOCOL, seeds: { '0.5': 3 }, pruneflow: [...TINY_PROTOCOL.pruneflow, 'fpgm'] });
    expect(moreSeeds.has(pf('l1', 0.5, 1))).toBe(true);
    expect(moreSeeds.results.protocol.seeds).toEqual({ '0.5': 3 });
    expect(() => new PapersStore(path, { ...TINY_PROTOCOL, weightDecay: 1e-4 })).toThrow(PapersResultsMismatchError);
  });

  it('gives the standard error of a mean over seeds, and the sampling error of one run', () => {
    const s = stat([70, 72, 74], 2000)!;
    expect(s.mean).toBe(72);
    expect(s.se).toBeCloseTo(2 / Math.sqrt(3), 12); // sample sd 2
    expect(stat([75], 2000)!.se).toBeCloseTo(100 * Math.sqrt((0.75 * 0.25) / 2000), 12); // 0.968 points
  });

  it('computes the verdicts against the issue targets from the runs', () => {
    const results: PapersResults = { protocol: FULL_PROTOCOL, runs: [], failures: [] };
    results.baseline = {
      torchAccuracy: 0.77,
      pruneflowAccuracy: 0.77,
      maxLogitDifference: 0,
      parameters: 1,
      flops: 1,
      secondsPerEpoch: 1,
      torch: '2',
      trainImages: 10000,
      testImages: 2000,
      trainedAt: '',
    };
    for (const seed of [1, 2, 3]) {
      results.runs.push(
        run(pf('group-l1', 0.5, seed), 0.75 - seed * 0.001),
        run(pf('l1', 0.5, seed), 0.745),
        run(tp('l1', 0.5, seed), 0.758),
        run(pf('cip', 0.5, seed), 0.765),
        run(tp('lamp', 0.5, seed), 0.76),
      );
    }
    results.runs.push(
      run({ engine: 'parity-pruneflow', method: 'l1', cut: 0.5, seed: 1 }, 0.74),
      run({ engine: 'parity-torch', method: 'l1', cut: 0.5, seed: 1 }, 0.746),
    );
    const v = Object.fromEntries(verdicts(results).map((x) => [x.target, x]));
    // L1: Pruneflow -2.2 on average against Torch-Pruning's -1.2: one point behind.
    expect(v["L1 within 0.5 points of Torch-Pruning's L1 at 50%"].status).toBe('not met');
    const l1 = v["L1 within 0.5 points of Torch-Pruning's L1 at 50%"].detail;
    expect(l1).toMatch(/group-l1 .* -1\.00 .*; Pruneflow l1 \(filters alone\) − Torch-Pruning l1: -1\.30/);
    // CIP -0.5 against the best Torch-Pruning criterion (LAMP, -1.0).
    expect(v['CIP at or above the best Torch-Pruning criterion at 50%']).toMatchObject({ status: 'met' });
    expect(v['CIP at or above the best Torch-Pruning criterion at 50%'].detail).toMatch(/lamp: \+0\.50/);
    expect(v["L1 within 0.5 points of Torch-Pruning's L1 at 70%"].status).toBe('not measured');
    const parity = v["Fine-tuning parity: the same pruned network, same recipe, Pruneflow's recovery within 0.5 points of PyTorch's or above"];
    expect(parity).toMatchObject({ status: 'not met', seeds: { have: 1, want: 3 } });
    expect(parity.detail).toMatch(/Pruneflow − PyTorch: -0\.60 ± \d\.\d\d \(n=1\) points \(one seed/);
    const table = papersMarkdown(results, 37, 'npm run bench:papers');
    expect(table).toMatch(/\| group-l1 \/ l1 \| 50% \|.*\| -2\.20 ± 0\.06 \(n=3\) \|.*\| -1\.20 ± 0\.\d\d \(n=3\) \|/);
    // A CIP variant run with --methods has a row of its own; the verdicts stay CIP's defaults'.
    results.runs.push(run(pf('cip:writerSpread=on+alpha=0', 0.5, 1), 0.7));
    expect(papersMarkdown(results, 37, 'npm run bench:papers')).toMatch(
      /\| cip \(writerSpread=on, alpha=0\) \| 50% \|.*\| -7\.00 ± \d\.\d\d \(n=1\) \| – \| – \| – \| – \|/,
    );
    expect(verdicts(results)).toEqual(Object.values(v));
    results.runs.pop();
    // Pruneflow's filter L1 has no counterpart: its row leaves Torch-Pruning's side empty.
    expect(table).toMatch(/\| l1 \| 50% \| 50\.0% \| 40\.00% \| -2\.50 ± 0\.\d\d \(n=3\) \| – \| – \| – \| – \|/);
    // Three seeds as the protocol asks: final; one seed of three: provisional.
    expect(verdictText(v["L1 within 0.5 points of Torch-Pruning's L1 at 50%"])).toBe('**not met**');
    const oneSeed = { ...results, runs: results.runs.filter((r) => r.seed === 1) };
    const first = Object.fromEntries(verdicts(oneSeed).map((x) => [x.target, x]));
    expect(verdictText(first['CIP at or above the best Torch-Pruning criterion at 50%'])).toBe('**met** (provisional: 1 of 3 seeds)');
    // Parity over seeds: the mean difference; recovering more than PyTorch is no miss.
    results.runs.push(
      run({ engine: 'parity-pruneflow', method: 'l1', cut: 0.5, seed: 2 }, 0.76),
      run({ engine: 'parity-torch', method: 'l1', cut: 0.5, seed: 2 }, 0.744),
    );
    const both = verdicts(results).find((x) => x.target.startsWith('Fine-tuning parity'))!;
    expect(both).toMatchObject({ status: 'met', seeds: { have: 2, want: 3 } });
    expect(both.detail).toMatch(/Pruneflow − PyTorch: \+0\.50 ± \d\.\d\d \(n=2\) points$/);
    expect(papersMarkdown(results, 37, 'npm run bench:papers')).toMatch(/\| PyTorch \(1 thread\) \| 2 \| .* \| 74\.40% \|/);
  });
});

describe("papers' protocol wall-time estimate", () => {
  it('scales the median measured seconds per training image to the full protocol', async () => {
    const { estimateFullHours } = await import('./papers-report.js');
    const results: PapersResults = { protocol: TINY_PROTOCOL, runs: [], failures: [] };
    // 256 training images: PyTorch baseline 2.56 s/epoch (0.01 s/image); fine-tuning 0.05 s/image in Pruneflow, 0.02 in PyTorch.
    results.baseline = {
      torchAccuracy: 0.1,
      pruneflowAccuracy: 0.1,
      maxLogitDifference: 0,
      parameters: 1,
      flops: 1,
      secondsPerEpoch: 2.56,
      torch: '2',
      trainImages: 256,
      testImages: 256,
      trainedAt: '',
    };
    results.runs.push(
      { ...run(pf('l1', 0.5, 1), 0.1), secondsPerEpoch: 12.8 },
      { ...run(pf('cip', 0.5, 1), 0.1), secondsPerEpoch: 12.8 },
      { ...run(pf('random', 0.5, 1), 0.1), secondsPerEpoch: 99 }, // an outlier: the median ignores it
      { ...run(tp('l1', 0.5, 1), 0.1), secondsPerEpoch: 5.12 },
    );
    const e = estimateFullHours(results)!;
    // Full: 30 x 10,000 baseline images; 8 x 10,000 per run; 38 Pruneflow runs (with parity), 24 PyTorch runs.
    expect(e.baseline).toBeCloseTo((0.01 * 300_000) / 3600, 9);
    expect(e.pruneflow).toBeCloseTo((38 * 80_000 * 0.05) / 3600, 9);
    expect(e.torch).toBeCloseTo((24 * 80_000 * 0.02) / 3600, 9);
  });
});
