import type { PruneConfig } from '../../api/contract.js';
import { createContinuous } from './continuous.js';
import { createIterative } from './iterative.js';
import { oneShot } from './one-shot.js';
import type { PruningSchedule } from './schedule.js';

export type { PruningSchedule, ScheduleContext, ScheduleTraining } from './schedule.js';
export { ScheduleError } from './schedule.js';

type ScheduleConfig = Pick<PruneConfig, 'schedule' | 'scheduleSteps' | 'softEpochs' | 'scheduleMask' | 'scheduleRamp'>;

/** The schedule a run's config asks for. */
export function scheduleFor(config: ScheduleConfig): PruningSchedule {
  if (config.schedule === 'iterative') return createIterative({ steps: config.scheduleSteps, epochs: config.softEpochs });
  if (config.schedule === 'continuous') return createContinuous({ epochs: config.softEpochs, mask: config.scheduleMask, ramp: config.scheduleRamp });
  return oneShot;
}
