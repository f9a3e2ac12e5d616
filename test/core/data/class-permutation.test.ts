import { describe, expect, it } from 'vitest';
import { likelyPermutation } from '../../../core/data/class-permutation.js';

const NAMES = ['cat', 'dog', 'bird', 'fish'];

describe("a model's predictions as the data's classes in another order", () => {
  it('finds the order from the confusion matrix, with the share it explains, and names the moved classes', () => {
    // Data class d is mostly predicted as model class (d + 1) mod 4, with some noise.
    const confusion = [
      [2, 40, 5, 3],
      [1, 3, 44, 2],
      [6, 0, 2, 42],
      [38, 4, 3, 5],
    ];
    const found = likelyPermutation(confusion, NAMES, 0.5)!;
    expect(found.dataOf).toEqual([3, 0, 1, 2]);
    expect(found.explained).toBeCloseTo((40 + 44 + 42 + 38) / 200, 10);
    expect(found.pairs).toBe(
      "class 0 looks like the data's 'fish', class 1 looks like the data's 'cat', class 2 looks like the data's 'dog', class 3 looks like the data's 'bird'",
    );
  });

  it('says nothing when no order explains enough, or when the order is the data own', () => {
    const flat = NAMES.map(() => NAMES.map(() => 10));
    expect(likelyPermutation(flat, NAMES, 0.5)).toBeUndefined();
    const diagonal = NAMES.map((_, d) => NAMES.map((_, m) => (d === m ? 30 : 2)));
    expect(likelyPermutation(diagonal, NAMES, 0.5)).toBeUndefined();
    expect(likelyPermutation([], [], 0.5)).toBeUndefined();
  });

  it('lists at most ten moved classes', () => {
    const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const confusion = names.map((_, d) => names.map((_, m) => (m === (d + 1) % 12 ? 9 : 0)));
    const found = likelyPermutation(confusion, names, 0.5)!;
    expect(found.pairs.split(', class').length).toBe(10);
    expect(found.pairs).toMatch(/… \(12 classes moved\)$/);
  });
});
