import { describe, expect, it } from 'vitest';
import { matrixRank } from '../../../core/importance/matrix-rank.js';

/** rows x cols product of a rows x k and a k x cols matrix, rounded to float32 like a feature map. */
function lowRank(rows: number, cols: number, k: number, seed: number): Float32Array {
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const a = Array.from({ length: rows * k }, next);
  const b = Array.from({ length: k * cols }, next);
  const m = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) for (let i = 0; i < k; i++) m[r * cols + c] += a[r * k + i] * b[i * cols + c];
  return m;
}

describe('matrix rank', () => {
  it.each([
    { name: 'zeros', m: [0, 0, 0, 0], rows: 2, cols: 2, rank: 0 },
    { name: 'identity', m: [1, 0, 0, 0, 1, 0, 0, 0, 1], rows: 3, cols: 3, rank: 3 },
    { name: 'equal rows', m: [1, 2, 3, 1, 2, 3], rows: 2, cols: 3, rank: 1 },
    { name: 'zero column first', m: [0, 1, 0, 2, 0, 3], rows: 3, cols: 2, rank: 1 },
    { name: 'third row the sum of the others', m: [1, 2, 0, 0, 1, 5, 1, 3, 5], rows: 3, cols: 3, rank: 2 },
    { name: 'a ReLU map', m: [1, 0, 3, 0], rows: 2, cols: 2, rank: 1 },
  ])('$name has rank $rank', ({ m, rows, cols, rank }) => {
    expect(matrixRank(m, rows, cols)).toBe(rank);
  });

  it('finds the rank of float32 products up to 32 x 32, like numpy with float32 eps', () => {
    for (const k of [1, 3, 7, 16, 32]) expect(matrixRank(lowRank(32, 32, k, k + 1), 32, 32)).toBe(k);
    expect(matrixRank(lowRank(8, 16, 5, 9), 8, 16)).toBe(5);
    // Scale does not matter: the tolerance is relative.
    expect(
      matrixRank(
        lowRank(16, 16, 4, 5).map((v) => v * 1e-20),
        16,
        16,
      ),
    ).toBe(4);
  });

  it('counts a tiny but real direction and ignores float32 round-off', () => {
    expect(matrixRank([1, 0, 0, 1e-4], 2, 2)).toBe(2);
    expect(matrixRank([1, 0, 0, 1e-9], 2, 2)).toBe(1);
  });
});
