import type { BackendId } from '../../core/backend/backend-report.js';
import type { ModelKey, Phase, StepPlan } from './config.js';

/** What the bench asks of one worker, and what the worker answers. */
export type PhaseSpec = { kind: 'probe'; backend: BackendId } | { kind: Phase; backend: BackendId; model: ModelKey; batch: number; plan: StepPlan };

export type WorkerMessage =
  /** The backend loaded and (for a measurement) the model is built: the first step starts now. */
  | { type: 'ready'; details: string[] }
  | { type: 'step'; ms: number; warm: boolean; tensors: number }
  | { type: 'done' }
  | { type: 'unavailable'; reason: string }
  | { type: 'error'; message: string };
