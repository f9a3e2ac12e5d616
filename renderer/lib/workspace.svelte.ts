import type { EngineApi, FlowData, PruneResult } from '../../core/api/contract.js';
import { ProjectState } from './project-state.svelte.js';
import { SessionFlow } from './session-flow.svelte.js';
import { Lookup, SessionDraft } from './session-draft.svelte.js';

/**
 * What this window works on: the open project, the session being set up and its importance flow.
 * File > New replaces them all with fresh ones: a new project starts from nothing.
 */
export class Workspace {
  draft: SessionDraft;
  project: ProjectState;
  flow: Lookup<FlowData>;
  /** The importance flow of a session, opened from its Results. */
  sessionFlow: SessionFlow;
  /** The Project screen was asked for (from Start), before any file was opened. */
  projectAsked = $state(false);
  /** The Project screen's Save As form is open. */
  savingAs = $state(false);
  /** A session of the open project whose Results show (opened from the Project screen), with the numbers the project stores. */
  reviewed = $state.raw<{ session: string; result: PruneResult }>();
  readonly #engine: EngineApi;

  constructor(engine: EngineApi) {
    this.#engine = engine;
    this.draft = $state.raw(new SessionDraft(engine));
    this.project = $state.raw(new ProjectState(engine));
    this.flow = $state.raw(new Lookup<FlowData>());
    this.sessionFlow = $state.raw(new SessionFlow(engine));
  }

  /** A project file was opened, or asked for. */
  get projectOpened(): boolean {
    return this.projectAsked || Boolean(this.project.path);
  }

  /** Sessions were sent to the comparison (it loads, failed or is there). */
  get comparing(): boolean {
    const c = this.project.comparison;
    return Boolean(c.value || c.loading || c.error);
  }

  reset(): void {
    this.draft = new SessionDraft(this.#engine);
    this.project = new ProjectState(this.#engine);
    this.flow = new Lookup<FlowData>();
    this.sessionFlow = new SessionFlow(this.#engine);
    this.projectAsked = false;
    this.savingAs = false;
    this.reviewed = undefined;
  }

  /** Shows a finished session of the open project on the Results screen; false when it has no stored result. */
  review(sessionId: string): boolean {
    const result = this.project.summary.value?.sessions.find((s) => s.id === sessionId)?.result;
    this.reviewed = result && { session: sessionId, result };
    return Boolean(result);
  }
}
