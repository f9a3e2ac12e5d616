import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../build/run.js';
import { runCli } from './run-cli.js';

// The built command line (npm test builds dist/ first), run as a user would.
const settingsDir = mkdtempSync(join(tmpdir(), 'pruneflow-settings-'));
const noSettings = join(settingsDir, 'absent.json');
/** Real CIFAR-10 batches in the official binary layout: 20 train and 10 test images per class. */
const CIFAR_EXCERPT = join(ROOT, 'test/fixtures/cifar/cifar-10-batches-bin');

/** Six classes of 12x12 grey images, each a bright band at its own height: an image folder with train/ and test/. */
function stripesDataset(root: string): string {
  for (const [split, count] of [
    ['train', 40],
    ['test', 10],
  ] as const) {
    for (let c = 0; c < 6; c++) {
      mkdirSync(join(root, split, `class${c}`), { recursive: true });
      for (let i = 0; i < count; i++) {
        const data = Uint8Array.from({ length: 144 }, (_, p) => (Math.floor(p / 12 / 2) === c ? 200 : 40) + ((p * 7 + i * 13) % 30));
        writeFileSync(join(root, split, `class${c}`, `${i}.png`), encodePng({ width: 12, height: 12, channels: 1, depth: 8, data }));
      }
    }
  }
  return root;
}

/** Runs the CLI; Ctrl-C `killAfterMs` after training starts: the cancel must land at a batch boundary. */
const pruneflow = (args: string[], env: NodeJS.ProcessEnv = {}, killAfterMs?: number) =>
  runCli(args, {
    env: { ...process.env, PRUNEFLOW_SETTINGS: noSettings, ...env },
    stop: killAfterMs === undefined ? undefined : { when: 'training', signal: 'SIGINT', afterMs: killAfterMs },
  });

describe('pruneflow command line', () => {
  it('reports the backend and why, as JSON for scripts', async () => {
    const { code, stdout } = await pruneflow(['info', '--json']);
    expect(code).toBe(0);
    const info = JSON.parse(stdout);
    expect(info.backend.active).toBe('wasm');
    expect(info.files).toBe(true);
    expect(info.backend.attempts[0]).toMatchObject({ id: 'node-gpu' });
  });

  it('takes the backend from the flag, then the environment, then the settings file', async () => {
    const settings = join(settingsDir, 'settings.json');
    writeFileSync(settings, JSON.stringify({ backend: 'cpu' }));
    const active = async (args: string[], env: NodeJS.ProcessEnv) => JSON.parse((await pruneflow(['info', '--json', ...args], env)).stdout).backend;
    expect(await active([], { PRUNEFLOW_SETTINGS: settings })).toMatchObject({ active: 'cpu', chosenBy: 'setting' });
    expect(await active([], { PRUNEFLOW_SETTINGS: settings, PRUNEFLOW_BACKEND: 'wasm' })).toMatchObject({ active: 'wasm', chosenBy: 'environment' });
    expect(await active(['--backend', 'cpu'], { PRUNEFLOW_BACKEND: 'wasm' })).toMatchObject({ active: 'cpu', chosenBy: 'flag' });
  });

  it('fails with a clear message and exit code on bad input', async () => {
    const badBackend = await pruneflow(['--backend', 'tpu', 'info']);
    expect(badBackend.code).toBe(1);
    expect(badBackend.stderr).toContain("BackendUnavailableError: Unknown backend 'tpu'");
    const badFraction = await pruneflow(['prune', '--demo', '--reduction', '2']);
    expect(badFraction.code).toBe(1);
    expect(badFraction.stderr).toContain('must be a number between 0 and 1');
    const settings = join(settingsDir, 'broken.json');
    writeFileSync(settings, '{ backend: ');
    const broken = await pruneflow(['info'], { PRUNEFLOW_SETTINGS: settings });
    expect(broken.stderr).toMatch(/SettingsError: Settings file .*broken.json is not valid/);
  });

  it('shows a built-in model: layers, channel groups and the pre-flight report', async () => {
    const { code, stdout } = await pruneflow(['model', 'info', 'resnet56']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^stage3_block9_b_conv +Conv2D +8x8x64 +36864 +2359296 +4096$/m);
    // 27 inner convs of the blocks and one residual stream per stage (the option-A shortcut couples nothing).
    expect(stdout).toContain('30 of 32 channel groups can be pruned (1120 channels)');
    expect(stdout).toContain("Not pruned: 10 channels of fc: model output 'fc'.");
    const json = JSON.parse((await pruneflow(['model', 'info', 'vgg16', '--json'])).stdout);
    expect(json.groups.filter((g: { prunable: boolean }) => g.prunable)).toHaveLength(14);
    const unknown = await pruneflow(['model', 'info', 'resnet57']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("UnknownModelError: No built-in model 'resnet57'. Built-in models: demo-cnn,");
  });

  it('recognises a data set and reports it, or says what it expected', async () => {
    const { code, stdout } = await pruneflow(['data', 'info', CIFAR_EXCERPT]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/format: CIFAR-10/);
    expect(stdout).toMatch(/^airplane +20 +10$/m);
    expect(stdout).toMatch(/^total +200 +100$/m);
    const missing = await pruneflow(['data', 'info', join(settingsDir, 'nothing-here')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/DatasetNotFoundError: .*nothing-here: no such file or folder/);
    writeFileSync(join(settingsDir, 'notes.txt'), 'not a data set');
    const unknown = await pruneflow(['data', 'info', settingsDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/DatasetNotRecognisedError: .*not a data set Pruneflow recognises\. Found \d+ files? .*Expected one of:/s);
  });

  it('runs the demo end to end and prints a before/after table', async () => {
    const { code, stdout } = await pruneflow(['prune', '--demo', '--epochs', '1', '--fine-tune-epochs', '1', '--reduction', '0.5', '--sample', '2000,500']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/top-1 accuracy +\d+\.\d\d% +\d+\.\d\d%/);
    const flops = stdout.match(/FLOPs \(MACs\) +([\d.]+)M +([\d.]+)M/)!;
    const cut = 1 - Number(flops[2]) / Number(flops[1]);
    expect(cut).toBeGreaterThanOrEqual(0.499);
    // Kept channels in blocks of 8 (the default rounding on the demo CNN's 16-64 channels) move the cut in steps of 1-2%.
    expect(cut).toBeLessThan(0.53);
    // One epoch on 2,000 images already beats chance (10%) by far.
    const accuracy = Number(stdout.match(/top-1 accuracy +(\d+\.\d\d)%/)![1]);
    expect(accuracy).toBeGreaterThan(40);
  });

  it('prunes a chosen model by parameters with options from a config file, and exports it', async () => {
    const out = join(settingsDir, 'pruned-model');
    const config = join(settingsDir, 'run.json');
    writeFileSync(
      config,
      JSON.stringify({
        model: 'demo-cnn',
        data: 'builtin:fashion-mnist',
        criterion: 'l2',
        trainEpochs: 1,
        fineTuneEpochs: 0,
        sample: { train: 1000, test: 200 },
      }),
    );
    const { code, stdout, stderr } = await pruneflow([
      'prune',
      '--config',
      config,
      '--target-params',
      '0.3',
      '--ranking',
      'uniform',
      '--export',
      out,
      '--format',
      'keras-h5',
      '--json',
    ]);
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.criterion).toBe('L2 norm of filters');
    expect(result.target).toEqual({ metric: 'params', reduction: 0.3 });
    expect(result.exported).toEqual([join(out, 'model.h5')]);
    const info = await pruneflow(['model', 'info', join(out, 'model.h5'), '--json']);
    expect(JSON.parse(info.stdout).totals.flops).toBe(result.pruned.flops);
  });

  it('runs a quick trial on a stratified sample of the data', async () => {
    const { code, stdout } = await pruneflow(['prune', '--demo', '--epochs', '0', '--fine-tune-epochs', '0', '--sample', '300,100', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.dataset).toBe('Fashion-MNIST sample: 300 training, 100 test images');
    expect(result.warnings).toContain('quick trial on a sample: 300 training and 100 test images');
    const bad = await pruneflow(['prune', '--demo', '--sample', '5']);
    expect(bad.stderr).toContain('expected TRAIN[,TEST] image counts of 10 or more');
  });

  it('fine-tunes with SGD, distillation and early stopping, shows top-5 and leaves checkpoints that load', async () => {
    const data = stripesDataset(join(settingsDir, 'stripes'));
    const checkpoints = join(settingsDir, 'checkpoints');
    const { code, stdout, stderr } = await pruneflow([
      'prune',
      '--model',
      'demo-cnn',
      '--data',
      data,
      '--epochs',
      '2',
      '--fine-tune-epochs',
      '2',
      '--batch-size',
      '16',
      '--optimizer',
      'sgd',
      '--lr',
      '0.05',
      '--weight-decay',
      '5e-4',
      '--lr-schedule',
      'step',
      '--distill-weight',
      '0.5',
      '--distill-temperature',
      '4',
      '--patience',
      '1',
      '--validation-share',
      '0.2',
      '--checkpoint-dir',
      checkpoints,
      '--json',
    ]);
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    // Six classes: top-5 is measured, and counts at least the top-1 hits.
    for (const summary of [result.baseline, result.pruned]) expect(summary.top5).toBeGreaterThanOrEqual(summary.accuracy);
    const flopsOf = async (path: string) => JSON.parse((await pruneflow(['model', 'info', path, '--json'])).stdout).totals.flops;
    expect(await flopsOf(join(checkpoints, 'training', 'model.json'))).toBe(result.baseline.flops);
    expect(await flopsOf(join(checkpoints, 'fine-tuning', 'model.json'))).toBe(result.pruned.flops);
  });

  it('says what is missing or wrong in a prune command', async () => {
    const noData = await pruneflow(['prune', '--model', 'resnet20']);
    expect(noData.code).toBe(1);
    expect(noData.stderr).toContain('prune needs --model and --data');
    // A config file is checked as the UI's calls are (it used to go through unchecked), and epochs are capped alike.
    const config = join(settingsDir, 'wrong-run.json');
    writeFileSync(config, JSON.stringify({ model: 'demo-cnn', data: 'builtin:fashion-mnist', seed: '1' }));
    const badFile = await pruneflow(['prune', '--config', config]);
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toContain(`InvalidCallError: Invalid engine call 'startPruning': config.seed must be an integer from 0 to 2^31-1, but got "1".`);
    const tooLong = await pruneflow(['prune', '--demo', '--epochs', '500']);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/--epochs <n>' argument '500' is invalid\. must be an integer from 0 to 100/);
    const badCriterion = await pruneflow(['prune', '--model', 'demo-cnn', '--data', 'builtin:fashion-mnist', '--criterion', 'magic']);
    expect(badCriterion.stderr).toMatch(/UnknownCriterionError: Unknown importance criterion 'magic'/);
    const mismatch = await pruneflow(['prune', '--model', join(settingsDir, 'pruned-model', 'model.h5'), '--data', CIFAR_EXCERPT, '--epochs', '0']);
    expect(mismatch.stderr).toMatch(
      new RegExp(
        /InputMismatchError: .*model.h5 does not fit the data set\. The model takes 28×28 images; yours are 32×32\. /.source +
          /The model takes grayscale \(1 channel\) images; yours are colour \(3 channels\)\. What to do: /.source,
      ),
    );
  });

  it('cancels cleanly on Ctrl-C', async () => {
    const { code, stderr } = await pruneflow(['prune', '--demo'], {}, 1500);
    expect(stderr).toContain('Cancelling at the next batch');
    expect(stderr).toContain('Cancelled: nothing was written.');
    expect(code).toBe(130);
  });
});
