/** IPC channel names; the main process and the preload must agree, so they live in one place. */
export const ENGINE_CALL_CHANNEL = 'pruneflow:engine-call';
export const ENGINE_EVENT_CHANNEL = 'pruneflow:engine-event';
/** Main -> renderer: app commands (menus, opened files, engine crash notices). */
export const APP_COMMAND_CHANNEL = 'pruneflow:app-command';
/** Renderer -> main: the renderer listens for app commands now. */
export const SHELL_READY_CHANNEL = 'pruneflow:shell-ready';
/** Renderer -> main: the project's file and what closing would stop or lose. */
export const DOCUMENT_STATE_CHANNEL = 'pruneflow:document-state';
/** Renderer -> main: the user's files for the engine in the page's worker (stat, list, read, folder and write). */
export const HOST_FILES_CHANNEL = 'pruneflow:host-file';
