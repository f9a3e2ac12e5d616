import type { ResidentMemory } from '../data/streaming/memory-budget.js';

/** This Node process's resident set in bytes (worker threads included: they share the process). */
export const nodeResidentMemory: ResidentMemory = () => process.memoryUsage.rss();
