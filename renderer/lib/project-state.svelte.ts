import type { Comparison, EngineApi, ProjectSummary } from '../../core/api/contract.js';
import { Lookup } from './session-draft.svelte.js';

/** The open project file, the sessions picked for comparison, and their comparison. */
export class ProjectState {
  path = $state('');
  readonly summary = new Lookup<ProjectSummary>();
  readonly comparison = new Lookup<Comparison>();
  /** Session ids picked for comparison, in the project's order. */
  selected = $state<string[]>([]);
  readonly #engine: EngineApi;

  constructor(engine: EngineApi) {
    this.#engine = engine;
  }

  async open(path: string): Promise<void> {
    this.path = path;
    this.selected = [];
    this.comparison.clear();
    await this.summary.load(() => this.#engine.openProject(path));
    // Sessions with a result are the ones worth comparing: pick them all to start with.
    this.selected = (this.summary.value?.sessions ?? []).filter((s) => s.metrics).map((s) => s.id);
  }

  toggle(id: string, on: boolean): void {
    const order = (this.summary.value?.sessions ?? []).map((s) => s.id);
    const picked = new Set(this.selected);
    if (on) picked.add(id);
    else picked.delete(id);
    this.selected = order.filter((s) => picked.has(s));
  }

  async compare(): Promise<void> {
    const path = this.path;
    const ids = [...this.selected];
    await this.comparison.load(() => this.#engine.compareSessions(ids.map((session) => ({ path, session }))));
  }
}
