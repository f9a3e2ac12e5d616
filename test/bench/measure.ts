import type { StepPlan } from './config.js';

/** Timing helpers: warm-up, timed steps under a soft time budget, median. */
export interface StepTiming {
  ms: number;
  warm: boolean;
}

export async function timeOnce(step: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await step();
  return performance.now() - start;
}

/**
 * Runs `plan.warmup` untimed steps, then timed steps until `plan.maxSteps`, or until `plan.softBudgetMs`
 * (counted from the start, warm-up included) has passed and at least `plan.minSteps` were timed.
 */
export async function runSteps(step: () => Promise<void>, plan: StepPlan, onStep: (timing: StepTiming) => void): Promise<StepTiming[]> {
  const start = performance.now();
  const timings: StepTiming[] = [];
  for (let i = 0; i < plan.warmup; i++) {
    const timing = { ms: await timeOnce(step), warm: true };
    timings.push(timing);
    onStep(timing);
  }
  for (let timed = 0; timed < plan.maxSteps; timed++) {
    if (timed >= plan.minSteps && performance.now() - start > plan.softBudgetMs) break;
    const timing = { ms: await timeOnce(step), warm: false };
    timings.push(timing);
    onStep(timing);
  }
  return timings;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function imagesPerSecond(batch: number, ms: number): number {
  return (batch * 1000) / ms;
}
