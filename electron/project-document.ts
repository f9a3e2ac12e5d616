import type { MessageBoxOptions, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { basename } from 'node:path';
import { closeWarning, type DocumentState, type UnsavedWork } from '../core/api/desktop-shell.js';
import type { CommandOutbox } from './command-outbox.js';
import { PROJECT_EXTENSION } from './project-files.js';
import type { RecentFiles } from './recent-files.js';

/** The parts of Electron's dialog used here; tests pass a fake that answers like a user would. */
export interface DialogLike<W> {
  showMessageBox(window: W, options: MessageBoxOptions): Promise<{ response: number }>;
  showSaveDialog(window: W, options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
  showOpenDialog(window: W, options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
}

export interface ClosingWindow {
  close(): void;
}

const PROJECT_FILTERS = [{ name: 'Pruneflow project', extensions: [PROJECT_EXTENSION.slice(1)] }];

/** The close prompt's buttons, in the order shown. */
export const CLOSE_PROMPT_BUTTONS = ['Save', "Don't Save", 'Cancel'] as const;
const [SAVE, DISCARD, CANCEL] = [0, 1, 2];
/** The prompt for a run or an unsaved result: Save cannot keep those, so it only asks to close or stay. */
export const STOP_PROMPT_BUTTONS = ['Close', 'Cancel'] as const;
const [CLOSE, STAY] = [0, 1];

/**
 * The open project as the shell sees it: the file actions of the File menu (each ends as an app
 * command to the renderer, which owns the project) and the unsaved-changes prompt on close.
 */
export class ProjectDocument<W extends ClosingWindow> {
  #state: DocumentState = { dirty: false, path: null };
  #closeConfirmed = false;
  #closeAfterSave = false;
  #prompting = false;

  constructor(
    private readonly window: () => W | undefined,
    private readonly dialog: DialogLike<W>,
    private readonly outbox: CommandOutbox,
    private readonly recent: RecentFiles,
    private readonly onMenuChanged: () => void,
  ) {}

  get state(): DocumentState {
    return this.#state;
  }

  /**
   * The renderer reports its state after every change and after every save attempt. A clean state
   * after a save asked for by the close prompt closes the window; a dirty one means the save failed,
   * and the window stays.
   */
  setState(state: DocumentState): void {
    // A project opened or saved in the UI (not only through the File menu) joins Open Recent and the OS's list.
    const pathChanged = state.path !== this.#state.path;
    if (state.path !== null && pathChanged) this.recent.add(state.path);
    this.#state = state;
    // Open Recent may have grown, and Save / Save As follow whether a project is open.
    if (pathChanged) this.onMenuChanged();
    if (!this.#closeAfterSave) return;
    this.#closeAfterSave = false;
    if (!state.dirty) this.#closeWithoutAsking();
  }

  /** A new page starts with no project. */
  reset(): void {
    if (this.#state.path !== null) this.onMenuChanged();
    this.#state = { dirty: false, path: null };
    this.#closeAfterSave = false;
    this.#closeConfirmed = false;
  }

  newProject(): void {
    this.outbox.post({ type: 'new-project' });
  }

  async open(): Promise<void> {
    const window = this.window();
    if (!window) return;
    const { canceled, filePaths } = await this.dialog.showOpenDialog(window, {
      title: 'Open Project',
      filters: PROJECT_FILTERS,
      properties: ['openFile'],
    });
    if (!canceled && filePaths[0]) this.openPath(filePaths[0]);
  }

  /** From the Open dialog, Open Recent, a double-click or the command line. */
  openPath(path: string): void {
    this.recent.add(path);
    this.onMenuChanged();
    this.outbox.post({ type: 'open-project', path });
  }

  async save(thenClose = false): Promise<boolean> {
    const path = this.#state.path ?? (await this.#askSavePath());
    if (!path) return false;
    this.#send(path, thenClose);
    return true;
  }

  async saveAs(): Promise<void> {
    const path = await this.#askSavePath();
    if (path) this.#send(path, false);
  }

  /** The UI's export form picks the session, format and folder: the menu takes the user there. */
  exportModel(): void {
    this.outbox.post({ type: 'export-model' });
  }

  /**
   * The window's 'close' listener. With unsaved changes the close waits for the user: Save (then
   * close once the renderer reports the save), Don't Save (close), or Cancel (stay).
   * Returns whether the window may close now.
   */
  onClose(event: { preventDefault(): void }): boolean {
    if (this.#closeConfirmed || !this.#state.dirty) return true;
    event.preventDefault();
    if (!this.#prompting) void this.#prompt();
    return false;
  }

  async #prompt(): Promise<void> {
    const window = this.window();
    if (!window) return;
    this.#prompting = true;
    try {
      const { work } = this.#state;
      if (work) return await this.#promptStop(window, work);
      const name = this.#state.path ? basename(this.#state.path) : 'this project';
      const { response } = await this.dialog.showMessageBox(window, {
        type: 'warning',
        message: `Do you want to save the changes to ${name}?`,
        detail: "Your changes will be lost if you don't save them.",
        buttons: [...CLOSE_PROMPT_BUTTONS],
        defaultId: SAVE,
        cancelId: CANCEL,
        noLink: true,
      });
      if (response === DISCARD) this.#closeWithoutAsking();
      else if (response === SAVE) await this.save(true);
    } finally {
      this.#prompting = false;
    }
  }

  /** A task runs (closing stops it) or a result would be lost: Close or stay, staying the default. */
  async #promptStop(window: W, work: UnsavedWork): Promise<void> {
    const { message, detail } = closeWarning(work);
    const { response } = await this.dialog.showMessageBox(window, {
      type: 'warning',
      message,
      detail,
      buttons: [...STOP_PROMPT_BUTTONS],
      defaultId: STAY,
      cancelId: STAY,
      noLink: true,
    });
    if (response === CLOSE) this.#closeWithoutAsking();
  }

  #closeWithoutAsking(): void {
    this.#closeConfirmed = true;
    this.window()?.close();
  }

  #send(path: string, thenClose: boolean): void {
    this.#closeAfterSave = thenClose;
    this.recent.add(path);
    this.onMenuChanged();
    this.outbox.post({ type: 'save-project', path, thenClose });
  }

  async #askSavePath(): Promise<string | undefined> {
    const window = this.window();
    if (!window) return undefined;
    const { canceled, filePath } = await this.dialog.showSaveDialog(window, {
      title: 'Save Project',
      defaultPath: this.#state.path ?? `Untitled${PROJECT_EXTENSION}`,
      filters: PROJECT_FILTERS,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (canceled || !filePath) return undefined;
    return filePath.toLowerCase().endsWith(PROJECT_EXTENSION) ? filePath : `${filePath}${PROJECT_EXTENSION}`;
  }
}
