import type { SerializedError } from '../../core/api/contract.js';

/** The File menu's commands that the page carries out itself (Open has its own screen). */
export type FileCommand = 'new' | 'save' | 'save-as' | 'export';

/** The parts of a KeyboardEvent read here (this file is also checked and tested without the DOM). */
interface Keys {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/**
 * The File menu on the keyboard, for the browser host (in the desktop app the menu's accelerators take
 * these keys first). Ctrl+N belongs to the browser (a new window), so New is Ctrl+Alt+N.
 */
export function fileShortcut(event: Keys): FileCommand | undefined {
  if (!(event.ctrlKey || event.metaKey)) return undefined;
  const key = event.key.toLowerCase();
  if (key === 's' && !event.altKey) return event.shiftKey ? 'save-as' : 'save';
  if (key === 'e' && !event.shiftKey && !event.altKey) return 'export';
  if (key === 'n' && event.altKey && !event.shiftKey) return 'new';
  return undefined;
}

/** Why a File command did nothing, as a notice (not a failure), with its title. */
export const FILE_NOTICES = {
  nothingToSave: {
    title: 'Nothing to save yet',
    name: 'NothingToSaveError',
    message: 'No project is open. A project file is written when a session runs: name it on the Review step of the set-up, or open one from the Start screen.',
  },
  nothingToExport: {
    title: 'No project to export from',
    name: 'NothingToExportError',
    message: 'Open a project first: its finished sessions can be exported from the Project screen.',
  },
  copyWhileRunning: {
    title: 'Not while the run writes to this project',
    name: 'ProjectBusyError',
    message: 'A run is writing its session into this project. Save As once it has finished (or after stopping it): the copy then holds the whole session.',
  },
} satisfies Record<string, SerializedError & { title: string }>;

/** The title of a file notice by its name; undefined for other errors. */
export function fileNoticeTitle(name: string): string | undefined {
  return Object.values(FILE_NOTICES).find((notice) => notice.name === name)?.title;
}
