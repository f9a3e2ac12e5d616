import type { DemoOptions, EngineApi, EngineEvent, EngineInfo } from '../../core/api/contract.js';

/** An in-memory engine that records calls and lets a test emit events. */
export class FakeEngine implements EngineApi {
  calls: { method: string; args: unknown[] }[] = [];
  readonly listeners = new Set<(event: EngineEvent) => void>();
  failStartWith?: Error;

  async getInfo(): Promise<EngineInfo> {
    this.calls.push({ method: 'getInfo', args: [] });
    return {
      name: 'Pruneflow',
      version: '0.0.0-test',
      host: 'test',
      backend: { active: 'cpu', chosenBy: 'auto', attempts: [{ id: 'wasm', reason: 'not in tests' }, { id: 'cpu' }], details: [] },
    };
  }

  async startDemo(options: Partial<DemoOptions>): Promise<{ taskId: string }> {
    this.calls.push({ method: 'startDemo', args: [options] });
    if (this.failStartWith) throw this.failStartWith;
    return { taskId: 'task-1' };
  }

  async cancelTask(taskId: string): Promise<void> {
    this.calls.push({ method: 'cancelTask', args: [taskId] });
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

export class NamedError extends Error {
  override name = 'BackendUnavailableError';
}
