import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FASHION_MNIST, QUICK_BUDGET, qualityPaths } from './quality-config.js';
import { qualityPlot } from './quality-plot.js';
import { expectationVerdict, writeQualityReport } from './quality-report.js';
import { type QualityCell, QualityResultsMismatchError, QualityStore } from './quality-store.js';

const folders: string[] = [];
const scratch = () => {
  const folder = mkdtempSync(join(tmpdir(), 'quality-store-'));
  folders.push(folder);
  return join(folder, 'results.json');
};
afterEach(() => folders.splice(0).forEach((f) => rmSync(f, { recursive: true, force: true })));

function cell(method: string, cut: number, seed: number, accuracy: number): QualityCell {
  return {
    method,
    cut,
    seed,
    accuracy,
    baselineAccuracy: 0.6,
    pruneOnlyAccuracy: 0.3,
    parameters: 1e5,
    baselineParameters: 2.7e5,
    flops: (1 - cut) * 4e7,
    baselineFlops: 4e7,
    latencyMs: 50,
    baselineLatencyMs: 90,
    latencyBatch: 64,
    seconds: 100,
    loadAverage: 3,
    finishedAt: '2026-11-27T00:00:00Z',
  };
}

describe('quality benchmark results store', () => {
  it('keeps finished cells on disk so a new run skips them', async () => {
    const path = scratch();
    const first = new QualityStore(path, QUICK_BUDGET);
    await first.add(cell('l1', 0.5, 1, 0.55));
    const resumed = new QualityStore(path, QUICK_BUDGET);
    expect(resumed.has('l1', 0.5, 1)).toBe(true);
    expect(resumed.has('l1', 0.5, 2)).toBe(false);
    expect(resumed.has('random', 0.5, 1)).toBe(false);
  });

  it('refuses to mix results measured with another budget', async () => {
    const path = scratch();
    await new QualityStore(path, QUICK_BUDGET).add(cell('l1', 0.5, 1, 0.55));
    const other = { ...QUICK_BUDGET, fineTune: { ...QUICK_BUDGET.fineTune, epochs: 9 } };
    expect(() => new QualityStore(path, other)).toThrow(QualityResultsMismatchError);
  });

  it('records a failed cell and forgets the failure once the cell succeeds', async () => {
    const path = scratch();
    const store = new QualityStore(path, QUICK_BUDGET);
    await store.fail('hrank', 0.5, 1, 'Error: boom');
    expect(JSON.parse(readFileSync(path, 'utf8')).failures).toHaveLength(1);
    await store.add(cell('hrank', 0.5, 1, 0.5));
    expect(JSON.parse(readFileSync(path, 'utf8')).failures).toHaveLength(0);
  });

  it('plots one point per method and cut of seed 1', () => {
    const results = { budget: QUICK_BUDGET, cells: [cell('l1', 0.3, 1, 0.58), cell('l1', 0.5, 1, 0.55), cell('l1', 0.5, 2, 0.5), cell('cip', 0.5, 1, 0.56)] };
    const svg = qualityPlot(results);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<circle[^>]*><title>/g)).toHaveLength(3);
    expect(svg).toContain('L1 norm: 58.00% at 70.0% FLOPs');
  });

  it('names the data set in the plot and the report, and links the plot of that data set', async () => {
    const results = { budget: QUICK_BUDGET, cells: [cell('l1', 0.5, 1, 0.86), cell('random', 0.5, 1, 0.84)] };
    expect(qualityPlot(results, FASHION_MNIST)).toContain('ResNet-20, Fashion-MNIST subset: accuracy');
    const folder = join(scratch(), '..');
    const paths = { ...qualityPaths('quick', FASHION_MNIST), plot: join(folder, 'quality-plot-fashion-mnist.svg'), report: join(folder, 'section.md') };
    await writeQualityReport(results, paths, FASHION_MNIST);
    const section = readFileSync(paths.report, 'utf8');
    expect(section).toContain('## Pruning quality: ResNet-20 on the Fashion-MNIST subset');
    expect(section).toContain('npm run bench:quality -- --data fashion-mnist');
    expect(section).toContain('](quality-plot-fashion-mnist.svg)');
    expect(section).toContain('no augmentation');
    expect(section).toContain('accuracy near 90% is about 0.7 points');
  });

  it('says whether CIP loses no more than L1 and clearly less than random, from the seeds', () => {
    const seeds = (method: string, accuracies: number[]) => accuracies.map((a, i) => cell(method, 0.5, i + 1, a));
    const met = {
      budget: QUICK_BUDGET,
      cells: [...seeds('cip', [0.52, 0.51, 0.53]), ...seeds('l1', [0.515, 0.52, 0.51]), ...seeds('random', [0.48, 0.47, 0.49])],
    };
    expect(expectationVerdict(met, 2000)).toContain('CIP loses no more than L1 and clearly less than random: the expectation is met here.');
    const close = {
      budget: QUICK_BUDGET,
      cells: [...seeds('cip', [0.52, 0.49, 0.53]), ...seeds('l1', [0.515, 0.52, 0.51]), ...seeds('random', [0.5, 0.47, 0.52])],
    };
    expect(expectationVerdict(close, 2000)).toContain('not clearly less than random');
    expect(expectationVerdict(close, 2000)).toContain('the expectation is not met here.');
    const worse = {
      budget: QUICK_BUDGET,
      cells: [...seeds('cip', [0.45, 0.46, 0.44]), ...seeds('l1', [0.515, 0.52, 0.51]), ...seeds('random', [0.4, 0.41, 0.39])],
    };
    expect(expectationVerdict(worse, 2000)).toContain('CIP loses more than L1');
    expect(expectationVerdict({ budget: QUICK_BUDGET, cells: seeds('cip', [0.5]) }, 2000)).toBe('');
  });
});
