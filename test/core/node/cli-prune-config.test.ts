import { pruneConfigSchema } from '../../../core/api/run-options.js';
import { settingsRows } from '../../../core/report/settings-rows.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelSummary, PruneResult } from '../../../core/api/contract.js';
import { formatPruneTable } from '../../../core/node/cli-output.js';
import { answerCall } from '../../../core/api/answer-call.js';
import { cipSwitches, pruneConfigFrom } from '../../../core/node/cli-prune-config.js';
import { runOptionParser } from '../../../core/node/cli-run-flags.js';
import { createEngine } from '../../../core/session/engine.js';

const base = { model: 'demo-cnn', data: 'builtin:fashion-mnist' };

describe('prune flags', () => {
  it('carry the training choices into the config', async () => {
    const config = await pruneConfigFrom({
      ...base,
      optimizer: 'sgd',
      weightDecay: 5e-4,
      lrSchedule: 'step',
      distillWeight: 0.7,
      distillTemperature: 3,
      patience: 2,
      validationShare: 0.2,
      checkpointDir: '/tmp/run',
    });
    expect(config).toEqual({
      ...base,
      optimizer: 'sgd',
      weightDecay: 5e-4,
      lrSchedule: 'step',
      distillation: { weight: 0.7, temperature: 3 },
      earlyStopping: { patience: 2 },
      validationShare: 0.2,
      checkpointDir: '/tmp/run',
    });
    // Distillation's temperature defaults to 4; nothing is set that was not asked for.
    expect(await pruneConfigFrom({ ...base, distillWeight: 0.5 })).toEqual({ ...base, distillation: { weight: 0.5, temperature: 4 } });
    expect(await pruneConfigFrom(base)).toEqual(base);
  });

  it("carry CIP's switches, over the config file's, into a config the engine checks and the report names", async () => {
    expect(cipSwitches('alpha=0,beta=0.25,tau=2,sigmoid=off,rowNormalisation=on,groupKernel=on,unitStatistic=on')).toEqual({
      unitStatistic: true,
      alpha: 0,
      beta: 0.25,
      tau: 2,
      sigmoid: false,
      rowNormalisation: true,
      groupKernel: true,
    });
    expect(cipSwitches('beta=1', { alpha: 0 })).toEqual({ alpha: 0, beta: 1 });
    for (const bad of ['gamma=1', 'alpha', 'alpha=x', 'sigmoid=1']) expect(() => cipSwitches(bad), bad).toThrow(/expected name=value pairs/);
    const file = join(mkdtempSync(join(tmpdir(), 'pruneflow-cip-')), 'run.json');
    writeFileSync(file, JSON.stringify({ ...base, criterion: 'cip', cip: { alpha: 0, tau: 3 } }));
    const config = await pruneConfigFrom({ config: file, cip: { alpha: 1 } });
    expect(config.cip).toEqual({ alpha: 1, tau: 3 });
    expect(settingsRows(pruneConfigSchema.parse(config))).toContainEqual(["CIP's switches", 'alpha 1, tau 3']);
    expect(settingsRows(pruneConfigSchema.parse({ ...config, criterion: 'l1' })).map(([label]) => label)).not.toContain("CIP's switches");
    // Out of range: the engine's check names the option, as for every run option.
    expect(() => pruneConfigSchema.parse({ ...config, cip: { alpha: 2 } })).toThrow();
  });

  it('fit the images to a model file and replace an export only when asked', async () => {
    expect(await pruneConfigFrom({ ...base, export: '/tmp/out', fitInput: true, overwrite: true })).toEqual({
      ...base,
      fitInput: true,
      export: { path: '/tmp/out', format: 'tfjs', overwrite: true },
    });
    expect(await pruneConfigFrom({ ...base, export: '/tmp/out' })).toEqual({ ...base, export: { path: '/tmp/out', format: 'tfjs' } });
    expect(await pruneConfigFrom({ ...base, export: '/tmp/out', format: 'onnx', foldBatchNorm: true })).toEqual({
      ...base,
      foldBatchNorm: true,
      export: { path: '/tmp/out', format: 'onnx' },
    });
    const rows = (format: 'onnx' | 'tfjs') => settingsRows(pruneConfigSchema.parse({ ...base, foldBatchNorm: true, export: { path: '/tmp/out', format } }));
    expect(rows('onnx')).toContainEqual(['Batch norms in the export', 'folded into the layers before them']);
    expect(rows('tfjs').map(([label]) => label)).not.toContain('Batch norms in the export');
  });

  it("carry PyTorch's fine-tuning recipe into the config, each flag checked by its option's schema", async () => {
    const config = await pruneConfigFrom({
      ...base,
      optimizer: 'sgd',
      nesterov: true,
      weightDecayOn: 'kernels',
      lrScheduleEvery: 'epoch',
      fineTuneLr: 0.01,
      bnMomentum: 0.9,
      groupNorm: 'lamp',
    });
    expect(config).toEqual({
      ...base,
      optimizer: 'sgd',
      nesterov: true,
      weightDecayOn: 'kernels',
      lrScheduleEvery: 'epoch',
      fineTuneLearningRate: 0.01,
      batchNormMomentum: 0.9,
      groupNormalisation: 'lamp',
    });
    expect(() => runOptionParser('weightDecayOn')('biases')).toThrow('must be one of all, kernels');
    expect(() => runOptionParser('lrScheduleEvery')('step')).toThrow('must be one of batch, epoch');
    expect(() => runOptionParser('groupNormalisation')('median')).toThrow('must be one of mean, max, sum, lamp, none');
  });

  it("name the model's classes by a list or a labels file (one per line), shown in the settings", async () => {
    expect(runOptionParser('classNames')('cat, dog,bird')).toEqual(['cat', 'dog', 'bird']);
    expect(() => runOptionParser('classNames')('cat')).toThrow(/two or more class names/);
    const file = join(mkdtempSync(join(tmpdir(), 'pruneflow-labels-')), 'labels.txt');
    writeFileSync(file, 'golden retriever\r\ntabby cat\n\nsparrow\n');
    const config = await pruneConfigFrom({ ...base, classNamesFile: file });
    expect(config.classNames).toEqual(['golden retriever', 'tabby cat', 'sparrow']);
    expect(settingsRows(pruneConfigSchema.parse(config))).toContainEqual(['Model classes named', 'golden retriever, tabby cat, sparrow']);
    writeFileSync(file, 'only\n');
    await expect(pruneConfigFrom({ ...base, classNamesFile: file })).rejects.toThrow(/names 1 class; give one per line, two or more/);
  });

  it('merge with a config file: a flag changes one setting of distillation, the file keeps the other', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pruneflow-config-')), 'run.json');
    writeFileSync(file, JSON.stringify({ ...base, distillation: { weight: 0.3, temperature: 8 }, earlyStopping: { patience: 5 } }));
    expect(await pruneConfigFrom({ config: file, distillTemperature: 2 })).toMatchObject({
      distillation: { weight: 0.3, temperature: 2 },
      earlyStopping: { patience: 5 },
    });
  });

  it('refuse choices that do not exist and a temperature without a weight', async () => {
    expect(() => runOptionParser('optimizer')('rmsprop')).toThrow('must be one of adam, sgd');
    expect(() => runOptionParser('lrSchedule')('linear')).toThrow('must be one of cosine, step, constant');
    await expect(pruneConfigFrom({ ...base, distillTemperature: 2 })).rejects.toThrow('--distill-temperature needs --distill-weight');
  });

  it("read each flag with its run option's own check, the same as the engine's", () => {
    expect(runOptionParser('seed')('7')).toBe(7);
    expect(runOptionParser('criterion')('fpgm')).toBe('fpgm');
    expect(runOptionParser('sensitivityRatios')('0.25,0.5')).toEqual([0.25, 0.5]);
    expect(() => runOptionParser('sensitivityRatios')('0.5,0.25')).toThrow('must be ascending shares');
    expect(() => runOptionParser('batchSize')('0')).toThrow('must be an integer from 1 to 4096');
    // The UI and serve cap epochs at 100; the command line used to take any count.
    expect(() => runOptionParser('trainEpochs')('500')).toThrow('must be an integer from 0 to 100');
    expect(() => runOptionParser('fineTuneEpochs')('101')).toThrow('must be an integer from 0 to 100');
  });

  it("land in the config under the option's name, whatever the flag is called", async () => {
    expect(await pruneConfigFrom({ ...base, lr: 0.01, epochs: 3, batchSize: 32, calibrationBatches: 2, sessionName: 'x' })).toEqual({
      ...base,
      learningRate: 0.01,
      trainEpochs: 3,
      batchSize: 32,
      calibrationBatches: 2,
      sessionName: 'x',
    });
  });
});

describe("every door gets the engine's checks", () => {
  // The engine refuses a wrong call before it loads a backend, so none is given.
  const engine = createEngine({ host: 'test', candidates: [], readAsset: () => Promise.reject(new Error('no assets')) });
  const configFile = (options: object) => {
    const file = join(mkdtempSync(join(tmpdir(), 'pruneflow-config-')), 'run.json');
    writeFileSync(file, JSON.stringify({ ...base, ...options }));
    return file;
  };

  it.each([
    [{ seed: '1' }, /config.seed must be an integer from 0 to 2\^31-1, but got "1"/],
    [{ batchSize: 0 }, /config.batchSize must be an integer from 1 to 4096, but got 0/],
    [{ trainEpochs: 500 }, /config.trainEpochs must be an integer from 0 to 100, but got 500/],
    [{ epochs: 3 }, /unknown option "epochs"/],
  ])("a config file with %o is refused with InvalidCallError, as the UI's path refuses it", async (options, message) => {
    const config = await pruneConfigFrom({ config: configFile(options) });
    const refusal = engine.startPruning(config);
    await expect(refusal).rejects.toThrow(message);
    await expect(refusal).rejects.toMatchObject({ name: 'InvalidCallError' });
    // The same message as the UI gets through a transport.
    expect(await answerCall(engine, { method: 'startPruning', args: [config] })).toMatchObject({
      ok: false,
      error: { name: 'InvalidCallError', message: expect.stringMatching(message) },
    });
  });

  it("the demo's epochs are capped as the Start screen caps them", async () => {
    await expect(engine.startPruning(await pruneConfigFrom({ demo: true, epochs: 500 }))).rejects.toThrow(
      /config.trainEpochs must be an integer from 0 to 100/,
    );
    await expect(engine.startDemo({ trainEpochs: 500 })).rejects.toThrow(/options.trainEpochs must be an integer from 0 to 100/);
    await expect(engine.startSensitivity({ ...base, sensitivityImages: 0 })).rejects.toThrow(/config.sensitivityImages/);
  });
});

describe('the before/after table', () => {
  const summary = (accuracy: number, top5?: number): ModelSummary => ({
    accuracy,
    ...(top5 !== undefined && { top5 }),
    parameters: 1000,
    flops: 2e6,
    latencyMs: 10,
    latencyBatch: 64,
    layerWidths: [],
  });
  const result = (baseline: ModelSummary, pruned: ModelSummary): PruneResult => ({
    dataset: 'd',
    model: 'm',
    criterion: 'c',
    target: { metric: 'flops', reduction: 0.5 },
    backend: 'wasm',
    flopsConvention: 'x',
    baseline,
    pruned,
    pruneOnly: { accuracy: 0.5 },
    seconds: 1,
    exported: [],
    warnings: [],
  });

  it('shows top-5 accuracy where the run measured it', () => {
    expect(formatPruneTable(result(summary(0.8, 0.97), summary(0.75, 0.955)))).toMatch(/^top-5 accuracy +97\.00% +95\.50% +-1\.50 pt$/m);
    expect(formatPruneTable(result(summary(0.8), summary(0.75)))).not.toContain('top-5');
    // The rounding a run chose is said; exact counts need no line.
    expect(formatPruneTable({ ...result(summary(0.8), summary(0.75)), roundTo: 8 })).toMatch(
      /^kept channels in multiples of 8 \(--round-to 1 keeps exact counts\)$/m,
    );
    expect(formatPruneTable({ ...result(summary(0.8), summary(0.75)), roundTo: 1 })).not.toContain('multiples of');
  });

  it('lists accuracy per class, and only the classes that lost the most when there are many', () => {
    const scores = (correct: number[]) => correct.map((c, i) => ({ name: `class ${i}`, images: 10, correct: c }));
    const withClasses = (before: number[], after: number[]) =>
      formatPruneTable(result({ ...summary(0.8), perClass: scores(before) }, { ...summary(0.75), perClass: scores(after) }));
    const few = withClasses([8, 9, 0], [7, 9, 0]).split('\n');
    expect(few.slice(few.indexOf('accuracy per class:'), few.indexOf('accuracy per class:') + 4)).toEqual([
      'accuracy per class:',
      '  class 0   80.00% ->  70.00%  (-10.00 pt)',
      '  class 1   90.00% ->  90.00%  (+0.00 pt)',
      '  class 2    0.00% ->   0.00%  (+0.00 pt)',
    ]);
    const many = withClasses(Array(30).fill(8), [...Array(29).fill(8), 2]);
    expect(many).toContain('accuracy per class, the 10 of 30 that lost the most:\n  class 29   80.00% ->  20.00%  (-60.00 pt)');
    expect(many.split('\n').filter((line) => line.startsWith('  class '))).toHaveLength(10);
    expect(formatPruneTable(result(summary(0.8), summary(0.75)))).not.toContain('per class');
  });
});
