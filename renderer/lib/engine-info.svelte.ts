import type { EngineApi, EngineInfo, SerializedError } from '../../core/api/contract.js';
import { serializeError } from '../../core/api/errors.js';

/** What the engine runs on. Loading it starts the engine's backend, so it can take a moment. */
export class EngineInfoState {
  info = $state.raw<EngineInfo>();
  error = $state.raw<SerializedError>();
  loading = $state(false);
  readonly #engine: EngineApi;

  constructor(engine: EngineApi) {
    this.#engine = engine;
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    try {
      this.info = await this.#engine.getInfo();
    } catch (error) {
      this.error = serializeError(error);
    } finally {
      this.loading = false;
    }
  }
}
