import type { EngineApi, SerializedError } from '../../core/api/contract.js';
import { serializeError } from '../../core/api/errors.js';
import { EngineInfoState } from './engine-info.svelte.js';

/** The engine this page talks to, what it runs on, and whether it can reach the user's files. */
export class EngineConnection {
  readonly engine: EngineApi;
  readonly info: EngineInfoState;

  constructor(engine: EngineApi) {
    this.engine = engine;
    this.info = new EngineInfoState(engine);
    void this.info.load();
  }

  /**
   * Engine hosts read, browse and save the user's files: on Node itself, in the page through `serve` or the
   * desktop app. An engine in a page with no host to lend them (neither) cannot.
   */
  get readsFiles(): boolean {
    return this.info.info ? this.info.info.files : true;
  }
}

/** Connects once (the host is fixed for the page's life); a page with no engine host gets the reason instead. */
export function connectOnce(
  open: () => EngineApi,
): { connection: EngineConnection; hostError?: undefined } | { connection?: undefined; hostError: SerializedError } {
  try {
    return { connection: new EngineConnection(open()) };
  } catch (error) {
    return { hostError: serializeError(error) };
  }
}
