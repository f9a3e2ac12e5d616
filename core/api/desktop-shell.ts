/**
 * The desktop shell's side channel to the UI: menu commands and notices from the main process, and
 * the document's state from the UI. Engine calls stay in `EngineApi`; this is what only a desktop
 * host has (menus, file dialogs, the close prompt). The browser host has no shell, and the UI works
 * without one. Plain data and pure checks: the preload, the main process and the renderer share it.
 */

/** What the File menu (or the OS, for a double-clicked file) asks the UI to do. */
export type AppCommand =
  | { type: 'new-project' }
  /** Open this project file (chosen in the Open dialog, Open Recent, a double-click or the command line). */
  | { type: 'open-project'; path: string }
  /** Save to this file: the document's own path, or the one chosen in Save As. */
  | { type: 'save-project'; path: string }
  /** Take the user to the export of the selected session's pruned model (the Project screen's form). */
  | { type: 'export-model' }
  /** The engine worker died; the next call starts a fresh one. The project in the UI is untouched. */
  | { type: 'engine-crashed'; message: string };

export type AppCommandType = AppCommand['type'];

/**
 * Work that closing the window would stop or lose. Projects save themselves session by session, so
 * what is at stake is a task (stopped by closing; a session resumes from its last checkpoint) or the
 * result of a run that saved into no project.
 */
export type UnsavedWork = 'running-session' | 'paused-session' | 'running-task' | 'unsaved-result';

const UNSAVED_WORK: readonly UnsavedWork[] = ['running-session', 'paused-session', 'running-task', 'unsaved-result'];

/** What the UI tells the shell about the open project, so the shell can prompt before closing. */
export interface DocumentState {
  /** Closing would lose something: set exactly when `work` is. */
  dirty: boolean;
  /** The project's file, once it has one; Save writes there without asking. */
  path: string | null;
  /** What closing would stop or lose (set whenever `dirty` comes from a task or an unsaved result). */
  work?: UnsavedWork;
}

/**
 * The close prompt's words for each kind of work, shared by the desktop prompt, the browser's leave
 * warning and File > New (`action`: what would stop it, "Closing" or "A new project").
 */
export function closeWarning(work: UnsavedWork, action = 'Closing'): { message: string; detail: string } {
  switch (work) {
    case 'running-session':
      return { message: 'A pruning run is in progress.', detail: `${action} stops it; you can resume it later from its last checkpoint.` };
    case 'paused-session':
      return { message: 'A pruning run is paused.', detail: `${action} stops it; you can resume it later from its last checkpoint.` };
    case 'running-task':
      return { message: 'A run is in progress.', detail: `${action} stops it, and its result is lost: it saves into no project file.` };
    case 'unsaved-result':
      return {
        message: "The last run's result is not in a project.",
        detail: `${action} loses it. To keep results, name a project file on the Review step of the set-up.`,
      };
  }
}

/** What the preload exposes as `window.pruneflowDesktop`. */
export interface DesktopShellBridge {
  /** Receives app commands; the shell queues them until the first listener is added. Returns the unsubscribe function. */
  onCommand(listener: (command: AppCommand) => void): () => void;
  setDocumentState(state: DocumentState): void;
}

/** A message on the shell channel that is not a well-formed command or document state. It is dropped, never acted on. */
export class InvalidShellMessageError extends Error {
  override name = 'InvalidShellMessageError';
}

const MAX_PATH_LENGTH = 4096;
const MAX_MESSAGE_LENGTH = 2000;

type FieldCheck = (value: unknown) => boolean;
const isPath: FieldCheck = (value) => typeof value === 'string' && value.length > 0 && value.length <= MAX_PATH_LENGTH && !value.includes('\0');
const isMessage: FieldCheck = (value) => typeof value === 'string' && value.length <= MAX_MESSAGE_LENGTH;
const isBoolean: FieldCheck = (value) => typeof value === 'boolean';

/** The fields of each command besides `type`; a command missing here cannot be sent. */
const COMMAND_FIELDS: Record<AppCommandType, Record<string, FieldCheck>> = {
  'new-project': {},
  'open-project': { path: isPath },
  'save-project': { path: isPath },
  'export-model': {},
  'engine-crashed': { message: isMessage },
};

/** Checks an untrusted message against the command types; extra or missing fields are refused. */
export function parseAppCommand(message: unknown): AppCommand {
  if (!isPlainObject(message)) throw new InvalidShellMessageError('Invalid app command: expected an object.');
  const { type } = message;
  if (typeof type !== 'string' || !Object.hasOwn(COMMAND_FIELDS, type)) {
    throw new InvalidShellMessageError(`Invalid app command: unknown type ${JSON.stringify(String(type)).slice(0, 60)}.`);
  }
  checkFields(message, COMMAND_FIELDS[type as AppCommandType], `app command '${type}'`);
  return message as AppCommand;
}

export function parseDocumentState(message: unknown): DocumentState {
  if (!isPlainObject(message)) throw new InvalidShellMessageError('Invalid document state: expected an object.');
  const fields: Record<string, FieldCheck> = { dirty: isBoolean, path: (value) => value === null || isPath(value) };
  // `work` is optional: present, it must be one of the known kinds.
  if (Object.hasOwn(message, 'work')) fields.work = (value) => UNSAVED_WORK.includes(value as UnsavedWork);
  checkFields(message, fields, 'document state');
  return message as unknown as DocumentState;
}

function checkFields(message: Record<string, unknown>, fields: Record<string, FieldCheck>, what: string): void {
  for (const key of Object.keys(message)) {
    if (key !== 'type' && !Object.hasOwn(fields, key)) throw new InvalidShellMessageError(`Invalid ${what}: unknown field '${key.slice(0, 40)}'.`);
  }
  for (const [key, check] of Object.entries(fields)) {
    if (!check(message[key])) throw new InvalidShellMessageError(`Invalid ${what}: field '${key}' is missing or malformed.`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
