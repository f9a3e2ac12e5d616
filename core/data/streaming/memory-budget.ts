/** How much memory the whole process holds now: its resident set in bytes (Node hosts: process.memoryUsage.rss). */
export type ResidentMemory = () => number;

const MiB = 2 ** 20;

/**
 * Room the budget keeps for what a streamed run holds besides its cache and what the process held when the data
 * set was opened: decoding threads and their buffers, batches being read ahead, garbage not yet collected.
 */
export const BUDGET_MARGIN = 256 * MiB;

export class DataMemoryBudgetError extends Error {
  override name = 'DataMemoryBudgetError';
}

/** What a data set opened under a whole-process budget may keep decoded, and why. */
export interface CacheBudget {
  /** Bytes of decoded images the data set may hold (in memory or in its cache). */
  bytes: number;
  /** The process's resident bytes when the data set was opened; absent where the host cannot read them. */
  resident?: number;
}

/**
 * The share of a data memory budget (`budget` bytes, the whole process) left for decoded images: the budget less
 * what the process holds now and the margin. Without a reading (hosts that cannot measure their memory) the budget
 * is the images' alone. A budget the process already fills is a DataMemoryBudgetError that names the setting to raise.
 */
export function cacheBudget(budget: number, residentMemory: ResidentMemory | undefined, where: string): CacheBudget {
  if (!residentMemory) return { bytes: budget };
  const resident = residentMemory();
  const bytes = budget - resident - BUDGET_MARGIN;
  if (bytes <= 0) {
    const needed = Math.ceil((resident + BUDGET_MARGIN) / MiB) + 1;
    throw new DataMemoryBudgetError(
      `The data memory budget of ${mib(budget)} cannot hold ${where}: the process already holds ${mib(resident)} and keeps ` +
        `${mib(BUDGET_MARGIN)} for decoding and batches. Raise the setting dataMemoryBudget (--data-memory-budget) to more than ${needed} MiB.`,
    );
  }
  return { bytes, resident };
}

const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;
