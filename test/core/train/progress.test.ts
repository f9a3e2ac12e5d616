import { afterEach, describe, expect, it, vi } from 'vitest';
import { Throughput } from '../../../core/train/progress.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('training speed and time left', () => {
  it('leave out time spent paused', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const throughput = new Throughput();
    throughput.add(100);
    vi.advanceTimersByTime(1000);
    // A 60 s pause, then another second of work.
    throughput.skip(60_000);
    vi.advanceTimersByTime(60_000 + 1000);
    throughput.add(100);
    expect(throughput.imagesPerSecond()).toBeCloseTo(100, 6);
    // 2 of 10 steps in 2 s of work: 8 s left.
    expect(throughput.secondsLeft(2, 10)).toBeCloseTo(8, 6);
  });
});
