/** Machine epsilon of float32: feature maps are float32, and HRank's code ranks them in float32. */
const EPS32 = 2 ** -23;

/**
 * Numerical rank of a rows x cols matrix stored row by row, in the manner of numpy's matrix_rank: the
 * count of singular values above S.max() * max(rows, cols) * eps. Gaussian elimination with complete
 * pivoting reveals the rank of these small matrices reliably: its pivots stand in for the singular
 * values, and the Frobenius norm (at least S.max(), at most sqrt(rank) times it) for S.max().
 * `work` (rows * cols) avoids an allocation per call.
 */
export function matrixRank(values: ArrayLike<number>, rows: number, cols: number, work = new Float64Array(rows * cols)): number {
  let norm = 0;
  for (let i = 0; i < rows * cols; i++) {
    work[i] = values[i];
    norm += values[i] * values[i];
  }
  const tolerance = Math.sqrt(norm) * Math.max(rows, cols) * EPS32;
  let rank = 0;
  for (; rank < Math.min(rows, cols); rank++) {
    let best = 0;
    let pivotRow = rank;
    let pivotCol = rank;
    for (let r = rank; r < rows; r++) {
      for (let c = rank; c < cols; c++) {
        const v = Math.abs(work[r * cols + c]);
        if (v > best) {
          best = v;
          pivotRow = r;
          pivotCol = c;
        }
      }
    }
    if (!(best > tolerance)) break;
    // Bring the pivot to (rank, rank); only the trailing block is still in use.
    for (let c = rank; c < cols; c++) swap(work, rank * cols + c, pivotRow * cols + c);
    for (let r = rank; r < rows; r++) swap(work, r * cols + rank, r * cols + pivotCol);
    const pivot = work[rank * cols + rank];
    for (let r = rank + 1; r < rows; r++) {
      const factor = work[r * cols + rank] / pivot;
      if (factor === 0) continue;
      for (let c = rank + 1; c < cols; c++) work[r * cols + c] -= factor * work[rank * cols + c];
      work[r * cols + rank] = 0;
    }
  }
  return rank;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
