import { describe, expect, it } from 'vitest';
import type { SpeedMeasurement } from '../../../core/api/measured-speed.js';
import { flopsEstimateWords, speedEstimateWords, speedupSentence, speedupVerdict } from '../../../core/api/speed-words.js';

const measured = (median: number, q1: number, q3: number, uncertain: boolean): SpeedMeasurement => {
  const spread = { median, q1, q3, runs: 11 };
  return { speedup: spread, baselineMs: spread, prunedMs: spread, batch: 64, uncertain };
};

describe('how a speed-up is said', () => {
  it('says plainly when the pruned model is slower', () => {
    expect(speedupVerdict(1.494)).toBe('1.49× faster');
    expect(speedupVerdict(0.9)).toBe('0.90× (slower)');
    expect(speedupVerdict(Number.NaN)).toBe('–');
  });

  it('gives the middle half of the paired runs, and says when they spread too widely', () => {
    expect(speedupSentence(measured(1.49, 1.4, 1.55, false))).toBe('1.49× faster (middle half 1.40–1.55×, 11 paired runs)');
    expect(speedupSentence(measured(1.2, 0.95, 1.49, true), 'x', '-')).toBe(
      '1.20x faster (middle half 0.95-1.49x, 11 paired runs); uncertain: the runs spread widely, the machine may have been busy',
    );
  });

  it('calls the FLOPs figure an estimate', () => {
    expect(flopsEstimateWords(200e6, 100e6)).toBe('about 2.00× faster (estimate from FLOPs)');
  });

  it('names the engine whose cost model made the estimate, and falls back to FLOPs for results without one', () => {
    const counts = { baseline: { flops: 300 }, pruned: { flops: 100 } };
    expect(speedEstimateWords({ ...counts, speedEstimate: { speedup: 1.618, engine: 'onnxruntime' } })).toBe('estimate for ONNX Runtime: 1.62×');
    expect(speedEstimateWords({ ...counts, speedEstimate: { speedup: 1.2, engine: 'wasm' } }, 'x')).toBe('estimate for WebAssembly: 1.20x');
    expect(speedEstimateWords(counts)).toBe('estimate from FLOPs: 3.00×');
  });
});
