import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { loadProjectFile } from '../../../core/node/project-file.js';
import { loadSessionWeights, replayHistory } from '../../../core/project/replay.js';
import { openStoredModel } from '../../../core/project/stored-model.js';
import { ROOT } from '../../build/run.js';
import { runCli } from './run-cli.js';
import { serializeProject } from '../../../core/project/project-codec.js';
import { projectOf, tinyModel } from '../project/project-fixture.js';

// The built command line (npm test builds dist/ first), run as a user would.
const dir = mkdtempSync(join(tmpdir(), 'pruneflow-cli-project-'));
const env = { ...process.env, PRUNEFLOW_SETTINGS: join(dir, 'no-settings.json'), PRUNEFLOW_TRAINING_REPLICAS: '1' };

const pruneflow = (args: string[]) => runCli(args, { env, cwd: dir });

const quick = ['--epochs', '0', '--fine-tune-epochs', '0', '--sample', '500,200'];

beforeAll(() => wasmCandidate.load());

describe('pruneflow prune --project and project info', () => {
  it('makes a project with the first session, adds the next from its baseline, lists both, and replays them', async () => {
    const file = join(dir, 'study.pruneflow');
    const first = await pruneflow(['prune', '--demo', ...quick, '--project', 'study.pruneflow']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`saved session s1 to ${file}`);
    // No --model or --data: the project lends its baseline and data set (another seed would build another model).
    const second = await pruneflow([
      'prune',
      '--project',
      file,
      '--sample',
      '500,200',
      '--seed',
      '7',
      '--criterion',
      'l2',
      '--schedule',
      'iterative',
      '--schedule-steps',
      '2',
      '--soft-epochs',
      '0',
      '--fine-tune-epochs',
      '0',
      '--session-name',
      'L2 in two steps',
      '--json',
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).project).toEqual({ path: file, session: 's2' });

    const info = JSON.parse((await pruneflow(['project', 'info', file, '--json'])).stdout);
    expect(info.dataset).toMatchObject({ path: 'builtin:fashion-mnist', format: 'builtin', files: 4, found: true });
    expect(info.dataset.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(info.baseline).toMatchObject({ source: 'demo-cnn', trainEpochs: 0 });
    expect(info.sessions.map((s: { id: string; name: string; steps: number }) => [s.id, s.name, s.steps])).toEqual([
      ['s1', 'L1 norm, one-shot, 50% FLOPs', 1],
      ['s2', 'L2 in two steps', 2],
    ]);
    for (const s of info.sessions) expect(s.result.pruned.flops / s.result.baseline.flops).toBeLessThanOrEqual(0.5);
    expect(info.sessions[1].result.baseline.accuracy).toBe(info.sessions[0].result.baseline.accuracy);
    const table = (await pruneflow(['project', 'info', file])).stdout;
    expect(table).toMatch(/^s2 +L2 in two steps +done +[\d.]+% +[\d.]+% +-5\d\.\d% +-[\d.]+% +2 +\d+ s$/m);

    // What the file holds is enough to rebuild each session's pruned model exactly.
    const project = await loadProjectFile(file);
    expect(project.sessions[1].record.environment).toMatchObject({ backend: 'wasm', host: 'cli', versions: { pruneflow: '0.1.0', tfjs: '4.22.0' } });
    const baseline = await openStoredModel(project.baseline);
    for (const { record, weights } of project.sessions) {
      const replayed = await replayHistory(baseline, record.history);
      loadSessionWeights(replayed, record.weightSpecs, weights);
      const widths = replayed.layers
        .filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()))
        .map((l) => ({ name: l.name, channels: (l.outputShape as number[]).at(-1) }));
      expect(widths).toEqual(record.result!.pruned.layerWidths);
      replayed.dispose();
    }
    baseline.dispose();
  });

  it('refuses a damaged project before any work and leaves it as it was', async () => {
    const file = join(dir, 'damaged.pruneflow');
    const baseline = tinyModel();
    const whole = await serializeProject(await projectOf(baseline, []));
    baseline.dispose();
    writeFileSync(file, whole.subarray(0, whole.length >> 1));
    const before = readFileSync(file);
    const info = await pruneflow(['project', 'info', file]);
    expect(info.code).toBe(1);
    expect(info.stderr).toContain(`ProjectTruncatedError: ${file} is not a complete project file`);
    const prune = await pruneflow(['prune', '--demo', ...quick, '--project', file]);
    expect(prune.code).toBe(1);
    expect(prune.stderr).toContain('ProjectTruncatedError');
    expect(readFileSync(file).equals(before)).toBe(true);
    const foreign = await pruneflow(['project', 'info', join(ROOT, 'build/icons/icon.png')]);
    expect(foreign.stderr).toMatch(/NotAProjectError: .*icon.png is not a Pruneflow project \(not a zip archive/);
  });
});
