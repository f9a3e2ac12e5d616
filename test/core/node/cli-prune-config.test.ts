import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelSummary, PruneResult } from '../../../core/api/contract.js';
import { formatPruneTable } from '../../../core/node/cli-output.js';
import { pruneConfigFrom } from '../../../core/node/cli-prune-config.js';

const base = { model: 'demo-cnn', data: 'builtin:fashion-mnist' };

describe('prune flags', () => {
  it('carry the training choices into the config', async () => {
    const config = await pruneConfigFrom({
      ...base, optimizer: 'sgd', weightDecay: 5e-4, lrSchedule: 'step', distillWeight: 0.7, distillTemperature: 3,
      patience: 2, validationShare: 0.2, checkpointDir: '/tmp/run',
    });
    expect(config).toEqual({
      ...base, optimizer: 'sgd', weightDecay: 5e-4, lrSchedule: 'step', distillation: { weight: 0.7, temperature: 3 },
      earlyStopping: { patience: 2 }, validationShare: 0.2, checkpointDir: '/tmp/run',
    });
    // Distillation's temperature defaults to 4; nothing is set that was not asked for.
    expect(await pruneConfigFrom({ ...base, distillWeight: 0.5 })).toEqual({ ...base, distillation: { weight: 0.5, temperature: 4 } });
    expect(await pruneConfigFrom(base)).toEqual(base);
  });

  it("carry PyTorch's fine-tuning recipe into the config", async () => {
    const config = await pruneConfigFrom({ ...base, optimizer: 'sgd', nesterov: true, weightDecayOn: 'kernels', lrScheduleEvery: 'epoch', fineTuneLr: 0.01, bnMomentum: 0.9 });
    expect(config).toEqual({ ...base, optimizer: 'sgd', nesterov: true, weightDecayOn: 'kernels', lrScheduleEvery: 'epoch', fineTuneLearningRate: 0.01, batchNormMomentum: 0.9 });
    await expect(pruneConfigFrom({ ...base, weightDecayOn: 'biases' })).rejects.toThrow("--weight-decay-on must be all, kernels, not 'biases'");
    await expect(pruneConfigFrom({ ...base, lrScheduleEvery: 'step' })).rejects.toThrow("--lr-schedule-every must be batch, epoch, not 'step'");
    expect(await pruneConfigFrom({ ...base, groupNorm: 'lamp' })).toEqual({ ...base, groupNormalisation: 'lamp' });
    await expect(pruneConfigFrom({ ...base, groupNorm: 'median' })).rejects.toThrow("--group-norm must be mean, max, sum, lamp, none, not 'median'");
  });

  it('merge with a config file: a flag changes one setting of distillation, the file keeps the other', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pruneflow-config-')), 'run.json');
    writeFileSync(file, JSON.stringify({ ...base, distillation: { weight: 0.3, temperature: 8 }, earlyStopping: { patience: 5 } }));
    expect(await pruneConfigFrom({ config: file, distillTemperature: 2 })).toMatchObject({ distillation: { weight: 0.3, temperature: 2 }, earlyStopping: { patience: 5 } });
  });

  it('refuse choices that do not exist and a temperature without a weight', async () => {
    await expect(pruneConfigFrom({ ...base, optimizer: 'rmsprop' })).rejects.toThrow("--optimizer must be adam, sgd, not 'rmsprop'");
    await expect(pruneConfigFrom({ ...base, lrSchedule: 'linear' })).rejects.toThrow("--lr-schedule must be cosine, step, constant, not 'linear'");
    await expect(pruneConfigFrom({ ...base, distillTemperature: 2 })).rejects.toThrow('--distill-temperature needs --distill-weight');
  });
});

describe('the before/after table', () => {
  const summary = (accuracy: number, top5?: number): ModelSummary => ({
    accuracy, ...(top5 !== undefined && { top5 }), parameters: 1000, flops: 2e6, latencyMs: 10, latencyBatch: 64, layerWidths: [],
  });
  const result = (baseline: ModelSummary, pruned: ModelSummary): PruneResult => ({
    dataset: 'd', model: 'm', criterion: 'c', target: { metric: 'flops', reduction: 0.5 }, backend: 'wasm', flopsConvention: 'x',
    baseline, pruned, pruneOnly: { accuracy: 0.5 }, seconds: 1, exported: [], warnings: [],
  });

  it('shows top-5 accuracy where the run measured it', () => {
    expect(formatPruneTable(result(summary(0.8, 0.97), summary(0.75, 0.955)))).toMatch(/^top-5 accuracy +97\.00% +95\.50% +-1\.50 pt$/m);
    expect(formatPruneTable(result(summary(0.8), summary(0.75)))).not.toContain('top-5');
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
