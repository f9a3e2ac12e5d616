/** IPC channel names; the main process and the preload must agree, so they live in one place. */
export const ENGINE_CALL_CHANNEL = 'pruneflow:engine-call';
export const ENGINE_EVENT_CHANNEL = 'pruneflow:engine-event';
/** Main -> renderer: app commands (menus, opened files, engine crash notices). */
export const APP_COMMAND_CHANNEL = 'pruneflow:app-command';
/** Renderer -> main: the renderer listens for app commands now. */
export const SHELL_READY_CHANNEL = 'pruneflow:shell-ready';
/** Renderer -> main: the project's unsaved-changes state and file. */
export const DOCUMENT_STATE_CHANNEL = 'pruneflow:document-state';
/** Renderer -> main: a file of the user's for the engine in the page's worker (stat, list or read). */
export const HOST_FILES_CHANNEL = 'pruneflow:host-file';
