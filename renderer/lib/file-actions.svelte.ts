import type { SerializedError } from '../../core/api/contract.js';
import { FILE_NOTICES } from './file-commands.js';
import type { Navigation } from './navigation.svelte.js';
import type { RunTaskState } from './run-task.svelte.js';
import type { Workspace } from './workspace.svelte.js';

const { nothingToSave, nothingToExport, copyWhileRunning } = FILE_NOTICES;

/** The page's side of the File menu: New, Save, Save As and Export, from the desktop's menu or the browser's keys. */
export class FileActions {
  /** Why a command did nothing (a notice), or the engine's crash; shown above the screen. */
  notice = $state.raw<SerializedError>();
  /** File > New asks first while a run goes on. */
  confirmingNew = $state(false);
  readonly #workspace: Workspace;
  readonly #run: RunTaskState;
  readonly #nav: Navigation;
  /** Moves the focus to the Project screen's export form (the page knows where it is). */
  focusExport: () => void = () => {};

  constructor(workspace: Workspace, run: RunTaskState, nav: Navigation) {
    this.#workspace = workspace;
    this.#run = run;
    this.#nav = nav;
  }

  /** A run is writing its session into the open project: a copy now would miss the rest of it. */
  get runWritesHere(): boolean {
    const path = this.#workspace.project.path;
    return Boolean(this.#run.busy && path && this.#run.savesTo === path);
  }

  /** File > New: back to the Start screen with no project, no data, no model; a running task is stopped first, if the user agrees. */
  newProject(): void {
    if (this.#run.busy) this.confirmingNew = true;
    else this.#startAfresh();
  }

  /** A run that ends while New asks leaves nothing to ask about: the question goes (New again starts afresh). */
  dropStaleQuestion(): void {
    if (this.confirmingNew && !this.#run.busy) this.confirmingNew = false;
  }

  async answerNew(confirmed: boolean): Promise<void> {
    this.confirmingNew = false;
    if (!confirmed) return;
    await this.#run.cancel();
    // The task stops at its next batch boundary; its session keeps its last checkpoint.
    for (let waited = 0; this.#run.busy && waited < 30_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    this.#startAfresh();
  }

  #startAfresh(): void {
    this.#workspace.reset();
    this.#run.clear();
    this.notice = undefined;
    void this.#nav.show('start');
  }

  /** File > Save: the engine confirms the open project's file is current (sessions save as they run). */
  async save(): Promise<void> {
    const project = this.#workspace.project;
    if (!project.path) return void (this.notice = nothingToSave);
    await this.#nav.show('project');
    await project.save();
  }

  /** File > Save As without a path (browser host): the Project screen's Save As form. */
  async askSaveAs(): Promise<void> {
    if (!this.#workspace.project.path) return void (this.notice = nothingToSave);
    if (this.runWritesHere) return void (this.notice = copyWhileRunning);
    // The screen first, then the form: showing a screen focuses its heading, and the form's field must win that race
    // (it focuses itself when the form opens, so a form left open is closed while the screen shows).
    this.#workspace.savingAs = false;
    await this.#nav.show('project');
    this.#workspace.savingAs = true;
  }

  /** A path chosen in the desktop's Save dialog (which asked before replacing a file). */
  async saveTo(path: string): Promise<void> {
    const project = this.#workspace.project;
    if (!project.path) this.notice = nothingToSave;
    else if (path === project.path) await this.save();
    else if (this.runWritesHere) this.notice = copyWhileRunning;
    else {
      await this.#nav.show('project');
      await project.saveAs(path, true);
    }
  }

  /** File > Export: the Project screen's export form, focused; the project of the last run when none is open. */
  async exportModel(): Promise<void> {
    const project = this.#workspace.project;
    const saved = this.#run.result?.project;
    if (!project.path && saved) await project.open(saved.path);
    if (!project.path) {
      this.notice = nothingToExport;
      this.#workspace.projectAsked = true;
      return void this.#nav.show('project');
    }
    await this.#nav.show('project');
    this.focusExport();
  }
}
