import type { EngineApi, FlowData, SessionFlowRequest } from '../../core/api/contract.js';
import { sameRequest } from './flow-request.js';
import { Lookup } from './session-draft.svelte.js';

/**
 * The importance flow of one session, as the engine reads it from what the session recorded: asked for
 * from Results, shown on the Flow screen. Asking again for the same session keeps what is there.
 */
export class SessionFlow {
  request = $state.raw<SessionFlowRequest>();
  readonly flow = new Lookup<FlowData>();
  readonly #engine: EngineApi;

  constructor(engine: EngineApi) {
    this.#engine = engine;
  }

  open(request: SessionFlowRequest): void {
    const same = this.request && sameRequest(this.request, request);
    if (same && (this.flow.value || this.flow.loading)) return;
    this.request = request;
    void this.flow.load(() => this.#engine.sessionFlow(request));
  }

  clear(): void {
    this.request = undefined;
    this.flow.clear();
  }
}
