import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { countFlops } from '../../../core/models/model-cost.js';
import { runOptionParser } from '../../../core/node/cli-run-flags.js';
import { pruneConfigFrom } from '../../../core/node/cli-prune-config.js';
import { SoftGates } from '../../../core/prune/soft-gates.js';
import { type ScheduleContext, scheduleFor } from '../../../core/prune/schedules/index.js';
import { gateValues, rampShare, smoothScores, temperature } from '../../../core/prune/schedules/ramp.js';
import { fit } from '../../../core/train/fit.js';
import { type Fixture, scheduleFixture } from './schedule-fixture.js';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await scheduleFixture();
});
afterAll(() => fixture.dispose());

describe('CIP-SPEC section 5 formulas', () => {
  it('ramps the cut cubically and cools the gates linearly', () => {
    expect([0, 1, 2, 3, 4].map((t) => rampShare(0.5, t, 4))).toEqual([0, 0.5 * (1 - 0.75 ** 3), 0.4375, 0.5 * (1 - 0.25 ** 3), 0.5]);
    expect(rampShare(0.5, 0, 4, 'constant')).toBe(0.5);
    expect(temperature(0, 4)).toBeCloseTo(0.501, 12);
    expect(temperature(2, 4)).toBeCloseTo(0.251, 12);
    expect(temperature(4, 4)).toBeCloseTo(1e-3, 12);
    const smoothed = smoothScores(new Map([[0, Float32Array.of(1, 2)]]), new Map([[0, Float32Array.of(2, 0)]]));
    expect(Array.from(smoothed.get(0)!)).toEqual([Math.fround(1.2), Math.fround(1.6)]);
  });

  it('puts theta between the last removed and the next kept channel; the plan picks each side', () => {
    const normalised = new Map([
      [0, Float32Array.of(0.2, 0.6, 1.0, 2.2)],
      [1, Float32Array.of(0.1, 1.9)],
    ]);
    // Group 1's weak channel is protected: kept below theta, so its gate is mirrored.
    const { theta, gates } = gateValues(
      normalised,
      new Map([
        [0, Int32Array.of(2, 3)],
        [1, Int32Array.of(0, 1)],
      ]),
      0.1,
    );
    expect(theta).toBeCloseTo(0.8, 6);
    expect(gates.get(0)![1]).toBeCloseTo(1 / (1 + Math.exp(2)), 6);
    expect(gates.get(0)![2]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(gates.get(1)![0]).toBeCloseTo(1 / (1 + Math.exp(-7)), 6);
  });
});

describe('soft gates', () => {
  it('give gated-down channels gradients: their free gamma keeps learning, a gate of exactly 0 would not', async () => {
    const model = await fixture.trained();
    const graph = buildChannelGraph(model);
    const group = graph.groups.find((g) => g.producers.includes('block3_conv'))!;
    const m = new Float32Array(group.channels).fill(1);
    m.fill(1e-4, 0, 8);
    m.fill(0, 8, 16);
    const gates = new SoftGates(model, graph, [group.id]);
    gates.set(new Map([[group.id, m]]));
    const before = Array.from(gates.free('block3_bn/gamma')!.dataSync());
    await fit(model, fixture.data, fixture.norm, { epochs: 1, batchSize: 64, learningRate: 2e-3, seed: 5, stage: 'test', onProgress: () => gates.sync() });
    const after = Array.from(gates.free('block3_bn/gamma')!.dataSync());
    const moved = after.map((v, c) => Math.abs(v - before[c]));
    const mean = (from: number, to: number) => moved.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    console.log(
      `mean |change| of gamma_free: gate 1e-4 ${mean(0, 8).toExponential(2)}, gate 0 ${mean(8, 16)}, gate 1 ${mean(16, group.channels).toExponential(2)}`,
    );
    // Adam moves a weight by about the learning rate per step: 6 steps.
    expect(mean(0, 8)).toBeGreaterThan(2e-3);
    expect(mean(8, 16)).toBe(0);
    // The model always holds m * gamma_free.
    const gamma = model.getLayer('block3_bn').getWeights()[0].dataSync();
    after.forEach((v, c) => expect(gamma[c]).toBeCloseTo(v * m[c], 6));
    gates.dispose();
    model.dispose();
  });
});

describe('iterative schedule', () => {
  it('reaches the target in k steps, the cumulative cut following R * i / k', async () => {
    const tensors = tf.memory().numTensors;
    const model = await fixture.trained();
    const notes: string[] = [];
    const schedule = scheduleFor({ schedule: 'iterative', scheduleSteps: 3, softEpochs: 2, scheduleMask: 'soft', scheduleRamp: 'cubic' });
    const pruned = await schedule.run(model, fixture.context({ note: (n) => notes.push(n) }));
    const cuts = notes.map((n) => Number(/: ([\d.]+)% of the FLOPs/.exec(n)![1]) / 100);
    expect(cuts).toHaveLength(3);
    cuts.forEach((cut, i) => expect(cut - (0.5 * (i + 1)) / 3).toBeGreaterThanOrEqual(-1e-9));
    cuts.forEach((cut, i) => expect(cut - (0.5 * (i + 1)) / 3).toBeLessThan(0.01));
    const reduction = 1 - countFlops(pruned) / countFlops(model);
    expect(reduction).toBeGreaterThanOrEqual(0.5);
    expect(reduction).toBeLessThan(0.51);
    pruned.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('with no training between steps, recalibrates each pruned model before the next step scores it', async () => {
    const model = await fixture.trained();
    const events: [string, tfl.LayersModel][] = [];
    const context = fixture.context();
    const scoring: ScheduleContext['criterion'] = {
      ...context.criterion,
      scoreGroups: (c) => (events.push(['score', c.model]), context.criterion.scoreGroups(c)),
    };
    const run = (softEpochs: number) =>
      scheduleFor({ schedule: 'iterative', scheduleSteps: 3, softEpochs, scheduleMask: 'soft', scheduleRamp: 'cubic' }).run(model, {
        ...context,
        criterion: scoring,
        recalibrate: async (m) => void events.push(['recalibrate', m]),
        train: async (m) => void events.push(['train', m]),
      });
    const pruned = await run(0);
    expect(events.map(([kind]) => kind)).toEqual(['score', 'recalibrate', 'score', 'recalibrate', 'score']);
    // The model recalibrated is the pruned one that the next step scores, not the original.
    expect(events[1][1]).toBe(events[2][1]);
    expect(events[1][1]).not.toBe(model);
    pruned.dispose();
    events.length = 0;
    // Training between steps re-estimates the statistics itself.
    (await run(2)).dispose();
    expect(events.map(([kind]) => kind)).toEqual(['score', 'train', 'score', 'train', 'score']);
    model.dispose();
  });
});

describe('configuration', () => {
  it('takes the schedule from command-line flags and refuses unknown kinds', async () => {
    const flags = { model: 'demo-cnn', data: 'builtin:fashion-mnist' };
    const config = await pruneConfigFrom({ ...flags, schedule: 'continuous', softEpochs: 6, scheduleSteps: 2, scheduleMask: 'hard', scheduleRamp: 'constant' });
    expect(config).toMatchObject({ schedule: 'continuous', softEpochs: 6, scheduleSteps: 2, scheduleMask: 'hard', scheduleRamp: 'constant' });
    expect(() => runOptionParser('schedule')('gradual')).toThrow('must be one of one-shot, iterative, continuous');
    expect(() => scheduleFor({ schedule: 'continuous', softEpochs: 0, scheduleSteps: 1, scheduleMask: 'soft', scheduleRamp: 'cubic' })).toThrow(
      /1 or more soft-pruning epochs/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });
});
