import { describe, expect, it } from 'vitest';
import type { ModelSummary, PruneConfig, PruneResult, PruneStep } from '../../../core/api/contract.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { FASHION_MNIST_CLASSES } from '../../../core/data/builtin-sample.js';
import { readAsset } from '../../../core/node/assets.js';
import { createEngine } from '../../../core/session/engine.js';
import { BUILTIN_DATA } from '../../../core/session/run-inputs.js';
import { runSession } from './run-session.js';

// The engine's per-step pruning events and per-class accuracy, on the untrained demo CNN and a small sample.
const engine = createEngine({ host: 'test', candidates: [wasmCandidate], readAsset });
const SAMPLE = { train: 256, test: 200 };

/** Runs one session to its end; returns its prune-step events (in order) and its result. */
async function run(config: Partial<PruneConfig>): Promise<{ steps: PruneStep[]; result: PruneResult }> {
  const base = { model: 'demo-cnn', data: BUILTIN_DATA, trainEpochs: 0, fineTuneEpochs: 0, batchSize: 32, sample: SAMPLE };
  const { events, result } = await runSession(engine, { ...base, ...config });
  return { steps: events.flatMap((e) => (e.type === 'prune-step' ? [e.step] : [])), result };
}

const widths = (step: PruneStep) => step.layers.map((l) => ({ name: l.name, channels: l.kept }));
const totals = (step: PruneStep) => step.layers.map((l) => ({ name: l.name, channels: l.total }));

function expectPerClass(summary: ModelSummary) {
  const perClass = summary.perClass!;
  expect(perClass.map((c) => c.name)).toEqual(FASHION_MNIST_CLASSES);
  expect(perClass.reduce((n, c) => n + c.images, 0)).toBe(SAMPLE.test);
  for (const c of perClass) expect(c.correct).toBeLessThanOrEqual(c.images);
  expect(perClass.reduce((n, c) => n + c.correct, 0) / SAMPLE.test).toBeCloseTo(summary.accuracy, 12);
}

describe('pruning steps and per-class accuracy from the engine', () => {
  it('one-shot: one step whose kept widths are the pruned model; per-class accuracy for both models', async () => {
    const { steps, result } = await run({ schedule: 'one-shot' });
    expect(steps.map((s) => [s.step, s.steps])).toEqual([[1, 1]]);
    expect(totals(steps[0])).toEqual(result.baseline.layerWidths);
    expect(widths(steps[0])).toEqual(result.pruned.layerWidths);
    expect(steps[0].metric).toBe('flops');
    expect(steps[0].cut).toBeGreaterThanOrEqual(0.5);
    expect(steps[0].cut).toBeLessThan(0.6);
    // No rounding asked for: the run chose the default (the wasm timing engine's block, fitted to the narrowest
    // layer), recorded it, and every layer it cut keeps a multiple of it.
    // The demo CNN's convolutions have 16 to 64 channels: 8.
    expect(result.roundTo).toBe(8);
    for (const layer of steps[0].layers) if (layer.kept < layer.total) expect(layer.kept % 8, `${layer.name} keeps ${layer.kept}`).toBe(0);
    expectPerClass(result.baseline);
    expectPerClass(result.pruned);
    // Timed in pairs (a quick trial: 5 pairs of batch 8); both latencies are the pairs' medians.
    const speed = result.speed!;
    expect([speed.batch, speed.speedup.runs]).toEqual([8, 5]);
    expect(result.baseline.latency).toEqual(speed.baselineMs);
    expect(result.pruned.latencyMs).toBe(speed.prunedMs.median);
  });

  it('iterative: k steps that cut more each time and end at the pruned model', async () => {
    const { steps, result } = await run({ schedule: 'iterative', scheduleSteps: 3, softEpochs: 0 });
    expect(steps.map((s) => [s.step, s.steps])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    // After step i about R * i / k of the FLOPs are gone, counted against the baseline.
    steps.forEach((s, i) => expect(s.cut).toBeCloseTo((0.5 * (i + 1)) / 3, 1));
    for (let i = 1; i < steps.length; i++) {
      steps[i].layers.forEach((layer, l) => expect(layer.kept).toBeLessThanOrEqual(steps[i - 1].layers[l].kept));
      expect(totals(steps[i])).toEqual(result.baseline.layerWidths);
    }
    expect(widths(steps.at(-1)!)).toEqual(result.pruned.layerWidths);
  });

  it('continuous: a step per gate update, from nothing gated to the pruned widths', async () => {
    const { steps, result } = await run({ schedule: 'continuous', softEpochs: 2 });
    expect(steps.map((s) => [s.step, s.steps])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    expect(steps[0].cut).toBe(0);
    expect(widths(steps[0])).toEqual(result.baseline.layerWidths);
    expect(widths(steps[2])).toEqual(result.pruned.layerWidths);
    expect(steps[2].cut).toBeGreaterThanOrEqual(0.5);
  });
});
