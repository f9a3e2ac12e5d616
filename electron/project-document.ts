import type { MessageBoxOptions, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { closeWarning, type DocumentState } from '../core/api/desktop-shell.js';
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

/**
 * The close prompt's buttons. What closing can lose is a run or an unsaved result (projects save themselves
 * session by session), and saving cannot keep those, so it only asks to close or stay.
 */
export const STOP_PROMPT_BUTTONS = ['Close', 'Cancel'] as const;
const [CLOSE, STAY] = [0, 1];

/**
 * The open project as the shell sees it: the file actions of the File menu (each ends as an app
 * command to the renderer, which owns the project) and the prompt on close while work would be lost.
 */
export class ProjectDocument<W extends ClosingWindow> {
  #state: DocumentState = { dirty: false, path: null };
  #closeConfirmed = false;
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

  /** The renderer reports its state after every change. */
  setState(state: DocumentState): void {
    // A project opened or saved in the UI (not only through the File menu) joins Open Recent and the OS's list.
    const pathChanged = state.path !== this.#state.path;
    if (state.path !== null && pathChanged) this.recent.add(state.path);
    this.#state = state;
    // Open Recent may have grown, and Save / Save As follow whether a project is open.
    if (pathChanged) this.onMenuChanged();
  }

  /** A new page starts with no project. */
  reset(): void {
    const hadPath = this.#state.path !== null;
    this.#state = { dirty: false, path: null };
    this.#closeConfirmed = false;
    // After the state is cleared: the menu reads it, and Save / Save As go grey.
    if (hadPath) this.onMenuChanged();
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

  async save(): Promise<void> {
    const path = this.#state.path ?? (await this.#askSavePath());
    if (path) this.#send(path);
  }

  async saveAs(): Promise<void> {
    const path = await this.#askSavePath();
    if (path) this.#send(path);
  }

  /** The UI's export form picks the session, format and folder: the menu takes the user there. */
  exportModel(): void {
    this.outbox.post({ type: 'export-model' });
  }

  /**
   * The window's 'close' listener. While closing would stop a run or lose a result, the close waits
   * for the user: Close or Cancel. Returns whether the window may close now.
   */
  onClose(event: { preventDefault(): void }): boolean {
    if (this.#closeConfirmed || !this.#state.work) return true;
    event.preventDefault();
    if (!this.#prompting) void this.#prompt();
    return false;
  }

  /** Closing stops a task or loses a result: Close or stay, staying the default. */
  async #prompt(): Promise<void> {
    const window = this.window();
    const { work } = this.#state;
    if (!window || !work) return;
    this.#prompting = true;
    try {
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
    } finally {
      this.#prompting = false;
    }
  }

  #closeWithoutAsking(): void {
    this.#closeConfirmed = true;
    this.window()?.close();
  }

  #send(path: string): void {
    this.recent.add(path);
    this.onMenuChanged();
    this.outbox.post({ type: 'save-project', path });
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
