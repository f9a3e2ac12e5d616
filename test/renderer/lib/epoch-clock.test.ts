import { describe, expect, it } from 'vitest';
import type { TaskProgress } from '../../../core/api/contract.js';
import { EpochClock } from '../../../renderer/lib/epoch-clock.js';

const step = (stage: string, done: number, total: number, epoch: number, epochs: number): TaskProgress => ({
  stage,
  step: done,
  total,
  message: `epoch ${epoch}/${epochs}, loss 0.500`,
  metrics: { epoch, loss: 0.5 },
});

describe('the Run screen x axis in epochs', () => {
  it('counts each stage after the ones before it, and a step as its share of the stage', () => {
    const clock = new EpochClock();
    // Baseline training, 4 epochs of 100 steps.
    expect(clock.at(step('training', 50, 400, 1, 4))).toBe(0.5);
    expect(clock.at(step('training', 400, 400, 4, 4))).toBe(4);
    // Scoring and evaluation have no epochs.
    expect(clock.at({ stage: 'scoring', step: 0, total: 0, message: 'Scoring channels' })).toBeUndefined();
    // Fine-tuning, 2 epochs of 50 steps: after the baseline's 4.
    expect(clock.at(step('fine-tuning', 25, 100, 1, 2))).toBe(4.5);
    expect(clock.at(step('fine-tuning', 100, 100, 2, 2))).toBe(6);
  });

  it('puts a held-out check at the end of its epoch, and a stage stopped early hands on where it stopped', () => {
    const clock = new EpochClock();
    const check = (stage: string, epoch: number): TaskProgress => ({
      stage,
      step: 0,
      total: 300,
      message: epoch === 0 ? 'before training, held-out accuracy 10.0%' : `epoch ${epoch}/3, held-out accuracy 50.0%`,
      metrics: { epoch, validationAccuracy: 0.5 },
    });
    expect(clock.at(check('training', 0))).toBe(0);
    expect(clock.at(step('training', 200, 300, 2, 3))).toBe(2);
    expect(clock.at(check('training', 2))).toBe(2);
    // Early stopping ended training after 2 of 3 epochs.
    expect(clock.at(step('fine-tuning', 10, 20, 1, 2))).toBe(3);
  });
});
