import { describe, expect, it } from 'vitest';
import { formatSeconds } from '../../../renderer/lib/format.js';

describe('durations', () => {
  it('rounds the whole duration before splitting it into minutes and seconds', () => {
    expect(formatSeconds(59.6)).toBe('1 min 0 s');
    expect(formatSeconds(119.6)).toBe('2 min 0 s');
    expect(formatSeconds(59.4)).toBe('59 s');
    expect(formatSeconds(61.2)).toBe('1 min 1 s');
    expect(formatSeconds(3599.6)).toBe('1 h 0 min');
  });

  it('reads hours and minutes past an hour', () => {
    expect(formatSeconds(3600 + 5 * 60 + 29)).toBe('1 h 5 min');
    expect(formatSeconds(2 * 3600 + 59 * 60 + 45)).toBe('3 h 0 min');
  });

  it('shows a dash for durations it cannot know', () => {
    expect(formatSeconds(Number.NaN)).toBe('–');
    expect(formatSeconds(Infinity)).toBe('–');
    expect(formatSeconds(-1)).toBe('–');
  });
});
