import type { EngineEvent } from './contract.js';

/**
 * The events that end a task. Every other event (progress, warnings, pause and resume, state changes,
 * pruning steps) is a moment of a running one, so a host that loses its engine knows which tasks to fail.
 */
export function isTaskEnd(event: EngineEvent): boolean {
  if (event.type === 'sweep') return event.sweep.type === 'sweep-done';
  return event.type === 'task-done' || event.type === 'sensitivity-done' || event.type === 'task-failed' || event.type === 'task-cancelled';
}
