/**
 * The desktop shell as the UI sees it: File-menu commands, opened files and engine-crash notices
 * in; the project's unsaved-changes state out. Only the desktop app has a shell; in a browser
 * `connectDesktopShell` returns undefined and the UI goes without menus and the close prompt.
 */
import type { AppCommand, AppCommandType, DesktopShellBridge, DocumentState } from '../../core/api/desktop-shell.js';

declare global {
  interface Window {
    pruneflowDesktop?: DesktopShellBridge;
  }
}

export type { AppCommand, DocumentState };

export type AppCommandHandlers = { [T in AppCommandType]?: (command: Extract<AppCommand, { type: T }>) => void };

/** `host` is the page's window (globalThis, so this file also type-checks and runs in tests without a DOM). */
export function connectDesktopShell(
  host: { pruneflowDesktop?: DesktopShellBridge } = globalThis as { pruneflowDesktop?: DesktopShellBridge },
): DesktopShellBridge | undefined {
  return host.pruneflowDesktop;
}

/**
 * Routes each app command to its handler. The shell holds commands until the first subscription,
 * so subscribe once the handlers can act (a file opened at launch arrives then). Returns the unsubscribe.
 */
export function handleAppCommands(shell: DesktopShellBridge, handlers: AppCommandHandlers): () => void {
  return shell.onCommand((command) => {
    const handler = handlers[command.type] as ((command: AppCommand) => void) | undefined;
    handler?.(command);
  });
}
