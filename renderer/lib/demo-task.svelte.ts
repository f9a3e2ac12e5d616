import type { DemoOptions, DemoResult, EngineApi, EngineEvent, SerializedError, TaskProgress } from '../../core/api/contract.js';
import { serializeError } from '../../core/api/errors.js';

export type DemoPhase = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

/** One demo run at a time: its phase, live progress, the stages seen so far, and its result or error. */
export class DemoTaskState {
  phase = $state<DemoPhase>('idle');
  progress = $state.raw<TaskProgress>();
  /** Stages in the order they began, so the UI can show where the run is. */
  stages = $state.raw<string[]>([]);
  result = $state.raw<DemoResult>();
  error = $state.raw<SerializedError>();
  readonly busy = $derived(this.phase === 'starting' || this.phase === 'running' || this.phase === 'cancelling');
  #taskId: string | undefined;
  readonly #engine: EngineApi;
  readonly #unsubscribe: () => void;

  constructor(engine: EngineApi) {
    this.#engine = engine;
    this.#unsubscribe = engine.onEvent((event) => this.#onEvent(event));
  }

  async start(options: Partial<DemoOptions> = {}): Promise<void> {
    if (this.busy) return;
    this.phase = 'starting';
    this.#taskId = undefined;
    this.progress = undefined;
    this.stages = [];
    this.result = undefined;
    this.error = undefined;
    try {
      const { taskId } = await this.#engine.startDemo(options);
      this.#taskId = taskId;
      if (this.phase === 'starting') this.phase = 'running';
    } catch (error) {
      this.#fail(serializeError(error));
    }
  }

  async cancel(): Promise<void> {
    if (!this.#taskId || this.phase !== 'running') return;
    this.phase = 'cancelling';
    try {
      await this.#engine.cancelTask(this.#taskId);
    } catch (error) {
      this.#fail(serializeError(error));
    }
  }

  dismissError(): void {
    this.error = undefined;
  }

  dispose(): void {
    this.#unsubscribe();
  }

  #onEvent(event: EngineEvent): void {
    // Events can outrun the reply to startDemo; while starting, the first task seen is ours.
    if (this.phase === 'starting' && this.#taskId === undefined) this.#taskId = event.taskId;
    if (event.taskId !== this.#taskId) return;
    switch (event.type) {
      case 'task-progress':
        if (this.phase === 'starting') this.phase = 'running';
        if (this.stages.at(-1) !== event.progress.stage) this.stages = [...this.stages, event.progress.stage];
        this.progress = event.progress;
        break;
      case 'task-done':
        this.result = event.result;
        this.phase = 'done';
        break;
      case 'task-failed':
        this.#fail(event.error);
        break;
      case 'task-cancelled':
        this.phase = 'cancelled';
        break;
    }
  }

  #fail(error: SerializedError): void {
    this.error = error;
    this.phase = 'failed';
  }
}
