import { describe, expect, it } from 'vitest';
import { defaultSessionName } from '../../../core/session/session-name.js';

describe("a session's default name", () => {
  const config = { criterion: 'l1', schedule: 'one-shot' as const, target: { metric: 'flops' as const, reduction: 0.5 } };

  it('names the criterion as people read it, with the schedule and the target', () => {
    expect(defaultSessionName(config, [])).toBe('L1 norm, one-shot, 50% FLOPs');
    expect(defaultSessionName({ ...config, criterion: 'cip', target: { metric: 'params', reduction: 0.3 } }, [])).toBe(
      'Importance propagation (CIP), one-shot, 30% parameters',
    );
  });

  it('is numbered when the project already has a session of that name, so two sessions never share one', () => {
    expect(defaultSessionName(config, ['L1 norm, one-shot, 50% FLOPs'])).toBe('L1 norm, one-shot, 50% FLOPs (2)');
    expect(defaultSessionName(config, ['L1 norm, one-shot, 50% FLOPs', 'L1 norm, one-shot, 50% FLOPs (2)'])).toBe('L1 norm, one-shot, 50% FLOPs (3)');
  });
});
