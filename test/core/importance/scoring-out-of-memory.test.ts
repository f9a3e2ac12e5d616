import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { makeBatch } from '../../../core/data/batches.js';
import { buildChannelGraph } from '../../../core/graph/channel-graph.js';
import { getCriterion } from '../../../core/importance/registry.js';
import { buildDemoCnn } from '../../../core/models/demo-cnn.js';
import { readAsset } from '../../../core/node/assets.js';
import { createEngine } from '../../../core/session/engine.js';
import { DeviceOutOfMemoryError } from '../../../core/train/out-of-memory.js';
import { failAllocations, failTensorsAbove, restoreAllocations } from '../train/allocation-budget.js';
import { sampleImages } from '../train/tiny-classifier.js';

// Scoring channels on calibration images runs them through the model a chunk at a time; a chunk the
// device has no memory for is measured again in halves. The allocation budget is test/core/train's.
beforeAll(async () => {
  await wasmCandidate.load();
});

afterEach(restoreAllocations);

/** The demo CNN's widest feature maps hold 28x28x32 values per image. */
const PER_IMAGE = 28 * 28 * 32;

describe('scoring channels when the device runs out of memory', () => {
  // Each criterion's own chunk: activation maps 16 images, Taylor's gradients 8, CIP's statistics 32.
  it.each([
    { id: 'activation-mean', fits: 4, warnings: ['Batch 16 did not fit in memory; continuing with 8', 'Batch 8 did not fit in memory; continuing with 4'] },
    { id: 'taylor', fits: 2, warnings: ['Batch 8 did not fit in memory; continuing with 4', 'Batch 4 did not fit in memory; continuing with 2'] },
    { id: 'cip', fits: 8, warnings: ['Batch 32 did not fit in memory; continuing with 16', 'Batch 16 did not fit in memory; continuing with 8'] },
  ])('$id: the same scores in smaller chunks, said at once, nothing left behind', async ({ id, fits, warnings }) => {
    const { train, norm } = await sampleImages(64);
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    const graph = buildChannelGraph(model);
    const calibration = [
      makeBatch(
        train,
        Int32Array.from({ length: 64 }, (_, i) => i),
        norm,
      ),
    ];
    const criterion = getCriterion(id);
    const expected = await criterion.scoreGroups({ model, graph, calibration, seed: 1 });

    const said: string[] = [];
    const listed: string[] = [];
    const before = tf.memory().numTensors;
    failTensorsAbove(fits * PER_IMAGE);
    const scores = await criterion.scoreGroups({ model, graph, calibration, seed: 1, onWarning: (m) => said.push(m), warn: (m) => listed.push(m) });
    restoreAllocations();
    expect(said).toEqual(warnings);
    expect(listed.filter((m) => /did not fit/.test(m))).toEqual([]);
    expect([...scores.keys()]).toEqual([...expected.keys()]);
    for (const [group, values] of expected) values.forEach((v, c) => expect(scores.get(group)![c]).toBeCloseTo(v, 4));
    // The failed chunks (a gradient tape included) left no tensor behind.
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(calibration.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });

  it('gives up with a named error when one image does not fit, and lets other errors through', async () => {
    const { train, norm } = await sampleImages(8);
    const model = buildDemoCnn({ inputShape: [28, 28, 1], numClasses: 10, seed: 7 });
    const graph = buildChannelGraph(model);
    const calibration = [
      makeBatch(
        train,
        Int32Array.from({ length: 8 }, (_, i) => i),
        norm,
      ),
    ];
    const before = tf.memory().numTensors;
    failTensorsAbove(0);
    const said: string[] = [];
    await expect(getCriterion('activation-mean').scoreGroups({ model, graph, calibration, seed: 1, onWarning: (m) => said.push(m) })).rejects.toThrow(
      DeviceOutOfMemoryError,
    );
    expect(said).toEqual([
      'Batch 8 did not fit in memory; continuing with 4',
      'Batch 4 did not fit in memory; continuing with 2',
      'Batch 2 did not fit in memory; continuing with 1',
    ]);
    await expect(getCriterion('cip').scoreGroups({ model, graph, calibration, seed: 1 })).rejects.toThrow(
      /measuring activations at image 1: even a batch of 1 does not fit/,
    );
    failAllocations((shape) => shape.length === 4 && shape[3] === 32, 'a kernel bug');
    said.length = 0;
    await expect(getCriterion('taylor').scoreGroups({ model, graph, calibration, seed: 1, onWarning: (m) => said.push(m) })).rejects.toThrow('a kernel bug');
    expect(said).toEqual([]);
    restoreAllocations();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(calibration.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });

  it('a pruning session with CIP says so through task-warning events while it scores, and finishes', async () => {
    const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset });
    const events: EngineEvent[] = [];
    const done = new Promise<void>((resolve) => {
      engine.onEvent((event) => {
        events.push(event);
        if (event.type === 'task-done' || event.type === 'task-failed') resolve();
      });
    });
    failTensorsAbove(8 * PER_IMAGE);
    await engine.startPruning({
      model: 'demo-cnn',
      data: 'builtin:fashion-mnist',
      criterion: 'cip',
      trainEpochs: 0,
      fineTuneEpochs: 0,
      batchSize: 32,
      calibrationBatches: 1,
      sample: { train: 64, test: 20 },
      seed: 3,
    });
    await done;
    restoreAllocations();
    expect(events.find((e) => e.type === 'task-failed')).toBeUndefined();
    // Each warning with the stage the session was in when it came.
    let stage = '';
    const warnings: string[] = [];
    for (const event of events) {
      if (event.type === 'task-progress') stage = event.progress.stage;
      if (event.type === 'task-warning') warnings.push(`${stage}: ${event.message}`);
    }
    expect(warnings).toEqual(
      expect.arrayContaining(['scoring: Batch 32 did not fit in memory; continuing with 16', 'scoring: Batch 16 did not fit in memory; continuing with 8']),
    );
  });
});
