import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import type { FlowData } from '../../../core/api/importance-flow.js';
import { CalibrationRequiredError } from '../../../core/importance/criterion.js';
import { readAsset } from '../../../core/node/assets.js';
import { createEngine } from '../../../core/session/engine.js';
import { FlowRequestError, importanceFlow } from '../../../core/session/importance-flow.js';
import { UNTRAINED_WARNING } from '../../../core/session/session-flow.js';

let flow: FlowData;

beforeAll(async () => {
  await wasmCandidate.load();
  flow = await importanceFlow({ model: 'resnet20', steps: 2, target: { metric: 'flops', reduction: 0.4 } }, { readAsset });
});

describe('importanceFlow on ResNet-20 (CIP on weights alone)', () => {
  it('has one column per conv and dense layer, in order, and bands only the 64-channel stage', () => {
    expect(flow.columns).toHaveLength(20);
    expect(flow.modelLabel).toBe('ResNet-20 (CIFAR)');
    expect(flow.columns[0].layer).toBe('stem_conv');
    expect(flow.columns.at(-1)).toMatchObject({ layer: 'fc', className: 'Dense', channels: 10, banded: false });
    expect(flow.columns.filter((c) => c.banded).map((c) => c.channels)).toEqual(Array(6).fill(64));
    expect(flow.warnings).toContain('No data was given: CIP used mu = 1 for every channel (weights and batch norm only).');
    // A built-in model is built with random weights here: the flow says so first.
    expect(flow.untrained).toBe(true);
    expect(flow.warnings[0]).toBe(UNTRAINED_WARNING);
    // Every group says why it lost channels (or none).
    expect(flow.groups.filter((g) => g.prunable).every((g) => /^(Global ranking|Nothing removed)/.test(g.reason ?? ''))).toBe(true);
  });

  it('marks the three residual streams as coupled groups', () => {
    const coupled = flow.groups.filter((g) => g.coupled);
    expect(coupled.map((g) => [g.channels, g.columns.length])).toEqual([
      [16, 4],
      [32, 3],
      [64, 3],
    ]);
    for (const group of coupled) for (const index of group.columns) expect(flow.columns[index].group).toBe(group.id);
  });

  it('links only forward, with residual links along a stream or across the option-A shortcut', () => {
    for (const link of flow.links) {
      const [source, target] = [flow.nodes[link.source], flow.nodes[link.target]];
      expect(source.column).toBeLessThan(target.column);
      expect(link.weight).toBeGreaterThan(0);
    }
    const residual = flow.links.filter((l) => l.kind === 'residual');
    expect(residual.length).toBeGreaterThan(0);
    const streamOf = (node: number) => flow.columns[flow.nodes[node].column].group;
    // Within a stage both ends write the stream; at a stage change the shortcut reads the previous stream.
    const across = residual.filter((l) => streamOf(l.source) !== streamOf(l.target));
    expect(new Set(across.map((l) => flow.columns[flow.nodes[l.target].column].layer))).toEqual(new Set(['stage2_block1_b_conv', 'stage3_block1_b_conv']));
    // Bounded: at most k links of each kind per node and direction survive per side, so never more than 2k per node.
    const k = flow.detail.linksPerNode;
    expect(flow.links.length).toBeLessThanOrEqual(flow.nodes.length * 2 * k * 2);
  });

  it('steps through the schedule: each step keeps a subset of the last and reaches the target', () => {
    expect(flow.steps.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(flow.steps[0].reduction).toBe(0);
    expect(flow.steps[1].reduction).toBeCloseTo(0.2, 1);
    expect(flow.steps[2].reduction).toBeGreaterThan(0.38);
    expect(flow.steps[2].flops).toBeLessThan(flow.steps[1].flops);
    for (let i = 1; i < flow.steps.length; i++) {
      for (const { group, kept, scores } of flow.steps[i].groups) {
        const before = new Set(flow.steps[i - 1].groups.find((g) => g.group === group)!.kept);
        expect(kept.every((c) => before.has(c))).toBe(true);
        expect(scores).toHaveLength(kept.length);
        expect(kept).toEqual([...kept].sort((a, b) => a - b));
      }
    }
  });

  it('gives each node the share of its channels the last step removed', () => {
    const last = new Map(flow.steps.at(-1)!.groups.map((g) => [g.group, new Set(g.kept)]));
    let pruned = 0;
    for (const node of flow.nodes) {
      const kept = last.get(flow.columns[node.column].group);
      const gone = kept ? node.channels.filter((c) => !kept.has(c)).length : 0;
      expect(node.pruned).toBeCloseTo(gone / node.channels.length, 6);
      pruned += node.pruned;
    }
    expect(pruned).toBeGreaterThan(0);
  });

  it('is plain data that survives JSON', () => {
    expect(JSON.parse(JSON.stringify(flow))).toEqual(flow);
  });

  it('refuses a bad request with a named error', async () => {
    await expect(importanceFlow({ model: 'resnet20', steps: 0 }, { readAsset })).rejects.toThrow(FlowRequestError);
    await expect(importanceFlow({ model: 'resnet20', criterion: 'apoz' }, { readAsset })).rejects.toThrow(CalibrationRequiredError);
  });
});

describe('importanceFlow with data', () => {
  it('measures CIP on calibration images of the built-in sample', async () => {
    const measured = await importanceFlow({ model: 'demo-cnn', data: 'builtin:fashion-mnist', steps: 1, calibrationBatches: 1 }, { readAsset });
    expect(measured.warnings.filter((w) => w.includes('mu = 1'))).toEqual([]);
    expect(measured.columns.map((c) => c.className)).toEqual(['Conv2D', 'Conv2D', 'Conv2D', 'Conv2D', 'Dense']);
    expect(measured.steps).toHaveLength(2);
    expect(measured.nodes.some((n) => n.pruned === 1)).toBe(true);
  });
});

describe('EngineApi.importanceFlow', () => {
  it('answers through the engine with the same plain data', async () => {
    const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset });
    const tensors = tf.memory().numTensors;
    const fromEngine = await engine.importanceFlow({ model: 'resnet20', steps: 2, target: { metric: 'flops', reduction: 0.4 } });
    expect(fromEngine).toEqual(flow);
    // The model, every pruned step and the calibration batches are gone again.
    expect(tf.memory().numTensors).toBe(tensors);
    await expect(engine.importanceFlow({ model: 'resnet7' })).rejects.toMatchObject({ name: 'UnknownModelError' });
  });
});
