import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// The built command line (npm run build:node), run as a user would; the cache lives beside the settings.
const settingsDir = mkdtempSync(join(tmpdir(), 'pruneflow-sensitivity-'));
const cacheDir = join(settingsDir, 'cache');

const pruneflow = (args: string[]) => runCli(args, { env: { ...process.env, PRUNEFLOW_SETTINGS: join(settingsDir, 'settings.json') } });

const ANALYSIS = ['sensitivity', '--model', 'demo-cnn', '--data', 'builtin:fashion-mnist', '--epochs', '0', '--images', '100', '--ratios', '0.5,0.75'];

describe('pruneflow sensitivity', () => {
  it('prints the drop of each group at each share, then answers from the cache', async () => {
    const first = await pruneflow(ANALYSIS);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^group +layers +channels +-50% +-75%$/m);
    for (const [layer, channels] of [
      ['block1_conv', 16],
      ['block2_conv', 32],
      ['block3_conv', 64],
      ['block4_conv', 64],
    ]) {
      expect(first.stdout).toMatch(new RegExp(`^ +\\d+  ${layer} +${channels} +-?\\d+\\.\\d\\d +-?\\d+\\.\\d\\d$`, 'm'));
    }
    expect(first.stdout).not.toContain('from the cache');
    expect(readdirSync(cacheDir)).toHaveLength(1);

    const json = await pruneflow([...ANALYSIS, '--json']);
    const report = JSON.parse(json.stdout);
    expect(report.cached).toBe(true);
    expect(report.table.images).toBe(100);
    expect(report.table.rows.map((r: { layers: string[] }) => r.layers)).toEqual([['block1_conv'], ['block2_conv'], ['block3_conv'], ['block4_conv']]);
    // The text table shows the cached drops in points.
    expect(first.stdout).toContain(`${(report.table.rows[0].trials[1].drop * 100).toFixed(2)}`);

    writeFileSync(join(cacheDir, readdirSync(cacheDir)[0]), 'not a table');
    const repaired = await pruneflow(ANALYSIS);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/^warning: ignored an unreadable sensitivity cache entry/m);
  });

  it('rejects ratios that are not ascending shares, and rankings or schedules it cannot use', async () => {
    const bad = await pruneflow([...ANALYSIS.slice(0, -1), '0.5,0.25']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('must be ascending shares between 0 and 1');
    const ranking = await pruneflow(['prune', '--model', 'demo-cnn', '--data', 'builtin:fashion-mnist', '--ranking', 'best']);
    expect(ranking.stderr).toMatch(/--ranking <kind>' argument 'best' is invalid\. must be one of global, uniform, sensitivity/);
    const iterative = await pruneflow([
      'prune',
      '--model',
      'demo-cnn',
      '--data',
      'builtin:fashion-mnist',
      '--ranking',
      'sensitivity',
      '--schedule',
      'iterative',
    ]);
    expect(iterative.code).toBe(1);
    expect(iterative.stderr).toContain("RankingScheduleError: The sensitivity ranking works with the one-shot and continuous schedules, not 'iterative'");
  });

  it('prunes with shares chosen from the analysis and returns the table with the result', async () => {
    const { code, stdout, stderr } = await pruneflow([
      'prune',
      '--model',
      'demo-cnn',
      '--data',
      'builtin:fashion-mnist',
      '--epochs',
      '0',
      '--fine-tune-epochs',
      '0',
      '--ranking',
      'sensitivity',
      '--target-flops',
      '0.4',
      '--sensitivity-images',
      '100',
      // Exact counts: the shares meet the cut within 1% (blocks of 8, the default here, move it in coarser steps).
      '--round-to',
      '1',
      '--json',
    ]);
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.roundTo).toBe(1);
    const cut = 1 - result.pruned.flops / result.baseline.flops;
    expect(cut).toBeGreaterThanOrEqual(0.4);
    expect(cut).toBeLessThan(0.41);
    expect(result.sensitivity.ratios).toEqual([0.25, 0.5, 0.75]);
    expect(result.sensitivity.rows).toHaveLength(4);
  });
});
