import { describe, expect, it } from 'vitest';
import type { TaskProgress } from '../../../core/api/contract.js';
import { totalSecondsLeft } from '../../../renderer/lib/time-left.js';

const config = {
  trainEpochs: 4,
  fineTuneEpochs: 2,
  schedule: 'one-shot' as const,
  scheduleSteps: 3,
  softEpochs: 4,
  target: { metric: 'flops' as const, reduction: 0.5 },
};
const progress = (stage: string, step: number, total: number, epochs: number, secondsLeft: number): TaskProgress => ({
  stage,
  step,
  total,
  message: `epoch 1/${epochs}, loss 1.000`,
  metrics: { secondsLeft },
});

describe('the time left in the whole run', () => {
  it('adds the later stages at the speed the current one measured, cheaper for the pruned model', () => {
    // Training: 4 epochs of 100 steps, 300 steps left in 300 s: 1 s a step, 100 s an epoch.
    // Fine-tuning: 2 epochs of the model with half the FLOPs: about 2 x 50 s.
    expect(totalSecondsLeft(config, progress('training', 100, 400, 4, 300))).toBeCloseTo(300 + 100, 6);
  });

  it('counts the soft-pruning epochs of the continuous schedule at the full cost', () => {
    expect(totalSecondsLeft({ ...config, schedule: 'continuous' }, progress('training', 100, 400, 4, 300))).toBeCloseTo(300 + 4 * 100 + 100, 6);
  });

  it('leaves only the stage time in the last stage, and nothing it cannot know', () => {
    expect(totalSecondsLeft(config, progress('fine-tuning', 50, 200, 2, 75))).toBe(75);
    expect(totalSecondsLeft(config, { stage: 'scoring', step: 0, total: 0, message: 'Scoring channels' })).toBeUndefined();
    expect(totalSecondsLeft(config, undefined)).toBeUndefined();
  });

  it('learns from fine-tuning between iterative steps: the gaps after this one, then fine-tuning', () => {
    // Step 1 of 3: 4 epochs over 2 gaps, one gap (2 epochs) after this one; this fit: 2 epochs of 50 steps at 1 s, cost 0.75.
    const left = totalSecondsLeft({ ...config, schedule: 'iterative' }, progress('pruning, step 1/3', 50, 100, 2, 50));
    const perEpoch = 50 / 0.75;
    expect(left).toBeCloseTo(50 + 2 * 0.75 * perEpoch + 2 * 0.5 * perEpoch, 6);
  });
});
