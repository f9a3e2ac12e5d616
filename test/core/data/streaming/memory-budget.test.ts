// The data memory budget covers the whole process: what it holds as a data set opens, and a margin, come off the
// images' share; a budget the process already fills is refused by name.
import { describe, expect, it } from 'vitest';
import { BUDGET_MARGIN, cacheBudget, DataMemoryBudgetError } from '../../../../core/data/streaming/memory-budget.js';
import { nodeResidentMemory } from '../../../../core/node/resident-memory.js';

const MiB = 2 ** 20;

describe('the data memory budget', () => {
  it("leaves the images the budget less the process's resident memory and the margin", () => {
    expect(cacheBudget(2048 * MiB, () => 300 * MiB, 'the images of x')).toEqual({ bytes: 2048 * MiB - 300 * MiB - BUDGET_MARGIN, resident: 300 * MiB });
    // Without a reading (a host that cannot measure itself) the budget is the images' alone.
    expect(cacheBudget(16 * MiB, undefined, 'the images of x')).toEqual({ bytes: 16 * MiB });
  });

  it('refuses a budget that the process and the margin already fill, naming the least that would do', () => {
    const resident = 300 * MiB;
    const least = 300 + BUDGET_MARGIN / MiB + 1;
    expect(() => cacheBudget(resident + BUDGET_MARGIN, () => resident, 'the images of /data/pets')).toThrow(DataMemoryBudgetError);
    expect(() => cacheBudget(512 * MiB, () => resident, 'the images of /data/pets')).toThrow(
      `The data memory budget of 512 MiB cannot hold the images of /data/pets: the process already holds 300 MiB and keeps ` +
        `${BUDGET_MARGIN / MiB} MiB for decoding and batches. Raise the setting dataMemoryBudget (--data-memory-budget) to more than ${least} MiB.`,
    );
    expect(cacheBudget(least * MiB, () => resident, 'x').bytes).toBe(MiB);
  });

  it("reads a Node process's own resident set", () => {
    const rss = process.memoryUsage.rss();
    // A running Node process with vitest loaded holds tens of MiB at least; two readings moments apart agree closely.
    expect(nodeResidentMemory()).toBeGreaterThan(20 * MiB);
    expect(Math.abs(nodeResidentMemory() - rss)).toBeLessThan(64 * MiB);
  });
});
