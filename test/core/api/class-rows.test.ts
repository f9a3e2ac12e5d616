import { describe, expect, it } from 'vitest';
import { classRows, worstFirst } from '../../../core/api/class-rows.js';
import type { ClassScore, PruneResult } from '../../../core/api/contract.js';

const side = (perClass?: ClassScore[]) => ({ perClass }) as PruneResult['baseline'];

describe('classRows', () => {
  it('joins the two sides by class index, so classes sharing a name stay apart', () => {
    const names = ['shirt', 'shirt', 'bag'];
    const before = names.map((name, c) => ({ name, images: c === 2 ? 0 : 10, correct: [9, 5, 0][c]! }));
    const after = names.map((name, c) => ({ name, images: c === 2 ? 0 : 10, correct: [8, 2, 0][c]! }));
    const rows = classRows({ baseline: side(before), pruned: side(after) });
    expect(rows.map((r) => [r.name, r.baseline, r.pruned])).toEqual([
      ['shirt', 0.9, 0.8],
      ['shirt', 0.5, 0.2],
      ['bag', undefined, undefined],
    ]);
    expect(rows[1]!.change).toBeCloseTo(-0.3);
    expect(worstFirst(rows).map((r) => r.baseline)).toEqual([0.5, 0.9, undefined]);
  });

  it('is empty for a result without per-class counts', () => {
    expect(classRows({ baseline: side(), pruned: side() })).toEqual([]);
    expect(classRows(undefined)).toEqual([]);
  });
});
