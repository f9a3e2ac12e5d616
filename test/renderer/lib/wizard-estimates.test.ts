import { describe, expect, it } from 'vitest';
import type { CutEstimate } from '../../../core/api/contract.js';
import { loadTrainingRate, saveTrainingRate } from '../../../renderer/lib/training-rate.js';
import { cutAt, deepestCut, estimateRunSeconds, GUESSED_TRAINING_RATE, measuredRate } from '../../../renderer/lib/wizard-estimates.js';

const estimate: CutEstimate = {
  baseline: { flops: 1000, params: 100 },
  points: [
    { reduction: 0.05, flops: 950, params: 96 },
    { reduction: 0.1, flops: 900, params: 90 },
  ],
};

describe('the target slider numbers', () => {
  it('reads counted points exactly and interpolates between them', () => {
    expect(cutAt(estimate, 0)).toEqual({ flops: 1000, params: 100 });
    expect(cutAt(estimate, 0.1)).toEqual({ flops: 900, params: 90 });
    expect(cutAt(estimate, 0.075)).toEqual({ flops: 925, params: 93 });
    expect(cutAt(estimate, 0.025)).toEqual({ flops: 975, params: 98 });
  });

  it('has no numbers past the deepest reachable cut', () => {
    expect(cutAt(estimate, 0.2)).toBeUndefined();
    expect(deepestCut(estimate)).toBe(0.1);
  });
});

describe('the run-time estimate', () => {
  const base = { reduction: 0.5, flops: 1e6, prunedFlops: 5e5, trainImages: 1000, testImages: 100, rate: 1e9 };
  const config = { trainEpochs: 2, fineTuneEpochs: 1, schedule: 'one-shot' as const, scheduleSteps: 3, softEpochs: 2 };

  it('grows with epochs and images, and iterative pruning adds its fine-tuning between steps', () => {
    const oneShot = estimateRunSeconds({ ...base, config });
    expect(estimateRunSeconds({ ...base, config: { ...config, trainEpochs: 4 } })).toBeGreaterThan(oneShot);
    expect(estimateRunSeconds({ ...base, trainImages: 2000, config })).toBeGreaterThan(oneShot);
    expect(estimateRunSeconds({ ...base, config: { ...config, schedule: 'iterative' } })).toBeGreaterThan(oneShot);
    // 3 forward-pass equivalents per training image: 1000 × 3 × (2 × 1e6 + 5e5) = 7.5e9, evaluation 100 × 3 × 1.5e6 = 4.5e8.
    expect(oneShot).toBeCloseTo((7.5e9 + 4.5e8) / 1e9 + 5, 6);
  });

  it('learns this machine from its last run: the same run is then estimated at the speed it trained', () => {
    const stored = new Map<string, string>();
    const storage = { getItem: (key: string) => stored.get(key) ?? null, setItem: (key: string, value: string) => void stored.set(key, value) };
    expect(loadTrainingRate(storage)).toEqual({ rate: GUESSED_TRAINING_RATE, measured: false });
    // A run trained the 1-MFLOP model at 40 images/s: 1,000 images for one epoch then take 25 s.
    saveTrainingRate(measuredRate(40, 1e6), storage);
    const learnt = loadTrainingRate(storage);
    expect(learnt.measured).toBe(true);
    const seconds = estimateRunSeconds({
      ...base,
      prunedFlops: 1e6,
      testImages: 0,
      rate: learnt.rate,
      config: { ...config, trainEpochs: 1, fineTuneEpochs: 0 },
    });
    expect(seconds).toBeCloseTo(25 + 5, 6);
    // Nonsense is neither kept nor read back.
    saveTrainingRate(Number.NaN, storage);
    expect(loadTrainingRate(storage)).toEqual(learnt);
    stored.set('pruneflow.trainingRate', 'fast');
    expect(loadTrainingRate(storage).measured).toBe(false);
  });
});
