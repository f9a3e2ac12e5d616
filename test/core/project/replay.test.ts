import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { buildCifarResNet } from '../../../core/models/resnet-cifar.js';
import { parseProject, serializeProject } from '../../../core/project/project-codec.js';
import { ReplayError } from '../../../core/project/project-errors.js';
import { loadSessionWeights, replayHistory } from '../../../core/project/replay.js';
import { modelWeights, openStoredModel } from '../../../core/project/stored-model.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { scheduleFor } from '../../../core/prune/schedules/index.js';
import { oneShot } from '../../../core/prune/schedules/one-shot.js';
import { type Fixture, scheduleFixture } from '../prune/schedule-fixture.js';
import { projectOf, runRecorded, sessionOf, tinyModel, weightContext } from './project-fixture.js';

/** Every layer's name, class, output shape and weight shapes. */
const architecture = (model: tfl.LayersModel) =>
  model.layers.map((l) => ({ name: l.name, className: l.getClassName(), output: l.outputShape, weights: l.getWeights().map((w) => w.shape) }));

function predictions(model: tfl.LayersModel, input: tf.Tensor): number[] {
  return tf.tidy(() => Array.from((model.predict(input) as tf.Tensor).dataSync()));
}

/** The run's model and the replayed one with the session's weights: same layers, same outputs. */
async function expectReplayMatches(baseline: tfl.LayersModel, pruned: tfl.LayersModel, history: Parameters<typeof replayHistory>[1], input: tf.Tensor) {
  const replayed = await replayHistory(baseline, history);
  expect(architecture(replayed)).toEqual(architecture(pruned));
  const { specs, data } = await modelWeights(pruned);
  loadSessionWeights(replayed, specs, data);
  expect(predictions(replayed, input)).toEqual(predictions(pruned, input));
  replayed.dispose();
}

let fixture: Fixture;
beforeAll(async () => {
  await wasmCandidate.load();
  fixture = await scheduleFixture(128);
});
afterAll(() => fixture.dispose());

describe('replaying a pruning history', () => {
  it('rebuilds a one-shot run from a saved project: architecture, then predictions with the stored weights', async () => {
    const baseline = tinyModel();
    const { pruned, history } = await runRecorded(oneShot, baseline, weightContext());
    expect(history).toHaveLength(1);
    // Saved and read back: the replay uses only what the file holds.
    const project = await parseProject(await serializeProject(await projectOf(baseline, [await sessionOf('s1', baseline, pruned, history)])));
    const storedBaseline = await openStoredModel(project.baseline);
    const [{ record, weights }] = project.sessions;
    const replayed = await replayHistory(storedBaseline, record.history);
    expect(architecture(replayed)).toEqual(architecture(pruned));
    expect(architecture(replayed)).not.toEqual(architecture(baseline));
    loadSessionWeights(replayed, record.weightSpecs, weights);
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 3);
    expect(predictions(replayed, x)).toEqual(predictions(pruned, x));
    tf.dispose(x);
    for (const m of [baseline, pruned, storedBaseline, replayed]) m.dispose();
  });

  it('rebuilds an iterative run whose steps were fine-tuned in between (demo CNN, three steps)', async () => {
    const tensors = tf.memory().numTensors;
    const baseline = await fixture.trained();
    const before = tf.tidy(() => baseline.getWeights().map((w) => w.clone()));
    const schedule = scheduleFor({ schedule: 'iterative', scheduleSteps: 3, softEpochs: 1, scheduleMask: 'soft', scheduleRamp: 'cubic' });
    const { pruned, history } = await runRecorded(schedule, baseline, fixture.context({ criterion: getCriterion('l1') }));
    expect(history.map((s) => s.step)).toEqual([1, 2, 3]);
    // Each step is recorded on the model it was applied to: its widths are those the step before left.
    for (let i = 1; i < history.length; i++) {
      for (const { producers, values } of history[i].scores) {
        const previous = history[i - 1].scores.find((s) => s.producers.join() === producers.join())!;
        const removed = history[i - 1].groups.find((g) => g.producers.join() === producers.join())?.removed.length ?? 0;
        expect(values.length).toBe(previous.values.length - removed);
      }
    }
    // The baseline itself is not trained by an iterative schedule; replay starts from it.
    baseline.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(before[i].dataSync())));
    const x = tf.slice(fixture.calibration[0].x, [0], [8]);
    await expectReplayMatches(baseline, pruned, history, x);
    // Without the session's weights the replayed model is the baseline's sliced weights: other outputs.
    const sliced = await replayHistory(baseline, history);
    expect(predictions(sliced, x)).not.toEqual(predictions(pruned, x));
    tf.dispose([x, ...before]);
    for (const m of [baseline, pruned, sliced]) m.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('rebuilds a continuous run as one step: the channels its gates closed', async () => {
    const baseline = await fixture.trained();
    const schedule = scheduleFor({ schedule: 'continuous', scheduleSteps: 1, softEpochs: 1, scheduleMask: 'soft', scheduleRamp: 'cubic' });
    const { pruned, history } = await runRecorded(schedule, baseline, fixture.context({ criterion: getCriterion('l1') }));
    expect(history).toHaveLength(1);
    const x = tf.slice(fixture.calibration[1].x, [0], [8]);
    await expectReplayMatches(baseline, pruned, history, x);
    tf.dispose(x);
    baseline.dispose();
    pruned.dispose();
  });

  it('rebuilds a ResNet whose residual groups join several convolutions', async () => {
    const baseline = buildCifarResNet(20, { inputShape: [32, 32, 3], numClasses: 10, seed: 4 });
    const { pruned, history } = await runRecorded(oneShot, baseline, weightContext({ target: { metric: 'flops', reduction: 0.4, protect: 0.1 } }));
    expect(history[0].groups.some((g) => g.producers.length > 1)).toBe(true);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 5);
    await expectReplayMatches(baseline, pruned, history, x);
    // A history only replays on the model it was made on.
    const tiny = tinyModel();
    await expect(replayHistory(tiny, history)).rejects.toThrow(ReplayError);
    await expect(replayHistory(tiny, history)).rejects.toThrow(/step 1, group of .*: the model has no channel group written by these layers/);
    tf.dispose(x);
    for (const m of [baseline, pruned, tiny]) m.dispose();
  });

  it('refuses a history whose widths or indices do not fit', async () => {
    const baseline = tinyModel();
    const { pruned, history } = await runRecorded(oneShot, baseline, weightContext());
    const step = history[0];
    const [group] = step.groups;
    await expect(replayHistory(baseline, [{ ...step, groups: [{ ...group, channels: 16 }] }])).rejects.toThrow(/expects 16 channels, the model has 8/);
    await expect(replayHistory(baseline, [{ ...step, groups: [{ ...group, removed: [0, 9] }] }])).rejects.toThrow(/indices must lie in 0..7/);
    await expect(replayHistory(baseline, [{ ...step, groups: [{ ...group, removed: [0, 1, 2, 3, 4, 5, 6, 7] }] }])).rejects.toThrow(/remove all 8 channels/);
    // The session's weights of another architecture do not load.
    const { specs, data } = await modelWeights(pruned);
    const unpruned = await replayHistory(baseline, []);
    expect(() => loadSessionWeights(unpruned, specs, data)).toThrow(ReplayError);
    for (const m of [baseline, pruned, unpruned]) m.dispose();
  });
});
