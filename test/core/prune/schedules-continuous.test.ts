import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_PRUNE_CONFIG } from '../../../core/api/contract.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import { countFlops } from '../../../core/models/model-cost.js';
import { readAsset } from '../../../core/node/assets.js';
import { createContinuous, type GateUpdate } from '../../../core/prune/schedules/continuous.js';
import { rampShare } from '../../../core/prune/schedules/ramp.js';
import { runPruning } from '../../../core/session/prune-run.js';
import { type Fixture, scheduleFixture } from './schedule-fixture.js';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await scheduleFixture();
});
afterAll(() => fixture.dispose());

const distanceToBinary = (gates: Map<number, Float32Array>) => Math.max(...[...gates.values()].flatMap((m) => Array.from(m, (v) => Math.min(v, 1 - v))));

describe('continuous schedule (CIP-SPEC section 5)', () => {
  it('check 4: gates end binary and the pruned network reproduces the masked one; check 5: FLOPs within 1%', async () => {
    const tensors = tf.memory().numTensors;
    const model = await fixture.trained();
    const flops = countFlops(model);
    const updates: GateUpdate[] = [];
    const started = performance.now();
    const pruned = await createContinuous({ epochs: 4, onUpdate: (u) => updates.push(u) }).run(model, fixture.context());
    const seconds = (performance.now() - started) / 1000;
    expect(updates.map((u) => u.t)).toEqual([0, 1, 2, 3, 4]);
    updates.forEach((u) => expect(u.share).toBeCloseTo(rampShare(0.5, u.t, 4), 12));
    expect(distanceToBinary(updates[1].gates)).toBeGreaterThan(0.1); // soft while T is high
    // Check 4: at t0 + T_p every gate within 1e-3 of 0 or 1 ...
    const last = updates[4];
    expect(distanceToBinary(last.gates)).toBeLessThan(1e-3);
    const sigmoid = [...last.sigmoid.values()].flatMap((m) => Array.from(m));
    const nearBinary = sigmoid.filter((v) => Math.min(v, 1 - v) < 1e-3).length / sigmoid.length;
    console.log(
      `continuous run: ${seconds.toFixed(1)} s for 4 soft epochs on ${fixture.data.count} images; ` +
        `sigmoid gates at T = Tmin within 1e-3 of 0/1: ${(nearBinary * 100).toFixed(1)}% (theta ${last.theta.toFixed(3)})`,
    );
    expect(nearBinary).toBeGreaterThan(0.95);
    // ... and the physically pruned network gives the masked network's outputs (inference mode).
    const x = fixture.calibration[0].x;
    const [masked, small] = [model, pruned].map((m) => m.predict(x) as tf.Tensor);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(masked, small))).dataSync()[0])).toBeLessThan(1e-4);
    // Check 5: the FLOPs counted on the pruned model meet the 50% target within 1%.
    const reduction = 1 - countFlops(pruned) / flops;
    expect(reduction).toBeGreaterThanOrEqual(0.5);
    expect(reduction).toBeLessThan(0.51);
    tf.dispose([masked, small]);
    pruned.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('hard masks with the whole cut from the start (SFP-style ablation) also end at the target', async () => {
    const model = await fixture.trained();
    const updates: GateUpdate[] = [];
    const pruned = await createContinuous({ epochs: 2, mask: 'hard', ramp: 'constant', onUpdate: (u) => updates.push(u) }).run(model, fixture.context());
    expect(updates.map((u) => u.share)).toEqual([0.5, 0.5, 0.5]);
    updates.forEach((u) => expect(distanceToBinary(u.gates)).toBeLessThan(1e-5));
    expect(1 - countFlops(pruned) / countFlops(model)).toBeGreaterThanOrEqual(0.5);
    pruned.dispose();
    model.dispose();
  });
});

/** Raw IDX files of `count` sample images from `from` on. */
function idxFiles(prefix: string, images: Uint8Array, labels: Uint8Array, count: number): [string, Uint8Array][] {
  const header = (magic: number, dims: number[]) => {
    const bytes = new Uint8Array(4 + 4 * dims.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, magic);
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
    return bytes;
  };
  const join = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);
  return [
    [`${prefix}-images-idx3-ubyte`, join(header(0x803, [count, 28, 28]), images.subarray(0, count * 784))],
    [`${prefix}-labels-idx1-ubyte`, join(header(0x801, [count]), labels.subarray(0, count))],
  ];
}

describe('a pruning run with the continuous schedule', () => {
  it('completes end to end with CIP and tiny epochs', async () => {
    const { data } = fixture;
    const files = new Map([
      ...idxFiles('train', data.images, data.labels, 320),
      ...idxFiles('t10k', data.images.subarray(320 * 784), data.labels.subarray(320), 64),
    ]);
    const stages = new Set<string>();
    const result = await runPruning(
      {
        ...DEFAULT_PRUNE_CONFIG,
        model: 'demo-cnn',
        data: 'small',
        criterion: 'cip',
        schedule: 'continuous',
        // Exact counts: the spec's check 5 (the cut within 1%) is for them; blocks of 8 move the cut in coarser steps.
        roundTo: 1,
        softEpochs: 2,
        trainEpochs: 1,
        fineTuneEpochs: 1,
        calibrationBatches: 2,
      },
      { readAsset, backend: 'wasm', openDataSource: async () => memoryTree('small', files), onProgress: (p) => stages.add(p.stage) },
    );
    expect([...stages]).toEqual(expect.arrayContaining(['training', 'pruning', 'soft pruning', 'fine-tuning']));
    expect(1 - result.pruned.flops / result.baseline.flops).toBeGreaterThanOrEqual(0.5);
    expect(1 - result.pruned.flops / result.baseline.flops).toBeLessThan(0.51);
    console.log(
      `engine run, continuous: ${result.seconds.toFixed(1)} s; accuracy ${result.baseline.accuracy.toFixed(3)} -> ${result.pruned.accuracy.toFixed(3)}`,
    );
  });
});
