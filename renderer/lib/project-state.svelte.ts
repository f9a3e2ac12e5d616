import type { Comparison, EngineApi, ProjectSummary, SerializedError } from '../../core/api/contract.js';
import { serializeError } from '../../core/api/errors.js';
import { Lookup } from './session-draft.svelte.js';

/** The open project file, the sessions picked for comparison, and their comparison. */
export class ProjectState {
  path = $state('');
  readonly summary = new Lookup<ProjectSummary>();
  readonly comparison = new Lookup<Comparison>();
  /** Session ids picked for comparison, in the project's order. */
  selected = $state<string[]>([]);
  /** The last Save or Save As that worked, for the status line; `copy` for Save As. */
  saved = $state.raw<{ path: string; at: Date; copy: boolean }>();
  saveError = $state.raw<SerializedError>();
  saving = $state(false);
  readonly #engine: EngineApi;

  constructor(engine: EngineApi) {
    this.#engine = engine;
  }

  async open(path: string): Promise<void> {
    this.path = path;
    this.saved = undefined;
    this.saveError = undefined;
    this.selected = [];
    this.comparison.clear();
    await this.summary.load(() => this.#engine.openProject(path));
    // Sessions with a result are the ones worth comparing: pick them all to start with.
    this.selected = (this.summary.value?.sessions ?? []).filter((s) => s.metrics).map((s) => s.id);
  }

  /** File > Save: the engine confirms every change is in the file (sessions save as they run). */
  save(): Promise<boolean> {
    return this.#save(async () => {
      const { path, modified } = await this.#engine.saveProject(this.path);
      this.saved = { path, at: new Date(modified), copy: false };
    });
  }

  /** File > Save As: a copy at `to`, which becomes the open project. `overwrite` once the user agreed to replace a file. */
  saveAs(to: string, overwrite = false): Promise<boolean> {
    return this.#save(async () => {
      const { path } = await this.#engine.saveProjectAs(this.path, to, overwrite);
      await this.open(path);
      this.saved = { path, at: new Date(), copy: true };
    });
  }

  async #save(write: () => Promise<void>): Promise<boolean> {
    this.saving = true;
    this.saveError = undefined;
    try {
      await write();
      return true;
    } catch (error) {
      this.saveError = serializeError(error);
      return false;
    } finally {
      this.saving = false;
    }
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
