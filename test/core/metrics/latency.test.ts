import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { measureLatency, measureSpeedup } from '../../../core/metrics/latency.js';
import { isUncertain, spreadOf, UNCERTAIN_SPREAD } from '../../../core/metrics/spread.js';

describe('the spread of repeated measurements', () => {
  // Expected values from NumPy: np.percentile(values, [25, 50, 75]) (linear interpolation).
  it.each([
    [[1, 2, 3, 4], 1.75, 2.5, 3.25],
    [[3, 1, 2], 1.5, 2, 2.5],
    [[10, 12, 11, 30, 9, 10.5, 11.5], 10.25, 11, 11.75],
    [[5], 5, 5, 5],
  ])('%j: quartiles as NumPy computes them', (values, q1, median, q3) => {
    expect(spreadOf(values)).toEqual({ q1, median, q3, runs: values.length });
  });

  it('is not moved by one outlier, as a mean would be', () => {
    expect(spreadOf([10, 10, 10, 10, 1000]).median).toBe(10);
  });

  it('refuses an empty list', () => {
    expect(() => spreadOf([])).toThrow(RangeError);
  });

  it('calls a speed-up uncertain when the middle half of its runs is wide against the median, or there are too few', () => {
    const tight = spreadOf([1.45, 1.48, 1.5, 1.52, 1.55]);
    expect(isUncertain(tight)).toBe(false);
    // 0.95x and 1.49x readings of nearly identical models: the spread that ranked criteria on noise.
    const wide = spreadOf([0.95, 1.1, 1.2, 1.35, 1.49]);
    expect((wide.q3 - wide.q1) / wide.median).toBeGreaterThan(UNCERTAIN_SPREAD);
    expect(isUncertain(wide)).toBe(true);
    expect(isUncertain(spreadOf([1.5, 1.5, 1.5]))).toBe(true);
  });
});

describe('timing models', () => {
  beforeAll(async () => {
    await wasmCandidate.load();
  });

  const dense = (units: number) => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [16], units, activation: 'relu' }), tfl.layers.dense({ units: 4 })] });
    return model;
  };

  it('times one model: as many runs as asked, quartiles in order, positive', async () => {
    const model = dense(32);
    const latency = await measureLatency(model, { batch: 4, runs: 6, warmup: 1 });
    model.dispose();
    expect(latency.runs).toBe(6);
    expect(latency.q1).toBeGreaterThan(0);
    expect(latency.q1).toBeLessThanOrEqual(latency.median);
    expect(latency.median).toBeLessThanOrEqual(latency.q3);
  });

  it('times two models in pairs: one ratio per pair, both timings kept, uncertainty from the ratios', async () => {
    const [big, small] = [dense(64), dense(8)];
    const speed = await measureSpeedup(big, small, { batch: 4, runs: 7, warmup: 2 });
    big.dispose();
    small.dispose();
    expect(speed.batch).toBe(4);
    expect([speed.speedup.runs, speed.baselineMs.runs, speed.prunedMs.runs]).toEqual([7, 7, 7]);
    expect(speed.speedup.q1).toBeLessThanOrEqual(speed.speedup.median);
    expect(speed.speedup.median).toBeLessThanOrEqual(speed.speedup.q3);
    expect(speed.speedup.q1).toBeGreaterThan(0);
    expect(speed.uncertain).toBe(isUncertain(speed.speedup));
  });
});
