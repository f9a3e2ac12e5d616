/** Hardening every web page the app creates; the UI is one local page and needs nothing more. */

interface PreventableEvent {
  preventDefault(): void;
}

/** Electron's navigation events carry where the frame would go (and, since Electron 25, which frame). */
interface NavigationEvent extends PreventableEvent {
  url: string;
  isMainFrame: boolean;
}

/** The parts of Electron's WebContents used here; tests pass a fake. */
export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect' | 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

/**
 * No navigation away from the app, no new windows, no webviews: a compromised page cannot leave or multiply.
 * The main frame may move within the app's own pages (the Engine panel reloads the page with another engine).
 * Electron asks 'will-frame-navigate' and then, for the main frame, 'will-navigate': both must allow it.
 */
export function hardenWebContents(contents: WebContentsLike, isAppUrl: (url: string) => boolean): void {
  const refuse = (event: PreventableEvent) => event.preventDefault();
  const stayInApp = (event: NavigationEvent) => {
    if (!event.isMainFrame || !isAppUrl(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-frame-navigate', stayInApp);
  contents.on('will-redirect', refuse);
  contents.on('will-attach-webview', refuse);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The app asks for no permission (camera, notifications, ...), so every request is refused. */
export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/**
 * No remote content: the app's pages may load only their own files (and data: URLs, which the CSP
 * limits to images). Anything else, a stray `https://` included, is cancelled before it leaves.
 */
export function allowOnlyLocalRequests(session: SessionLike, isAppUrl: (url: string) => boolean, isDev: boolean): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    const { url } = details;
    const allowed = isAppUrl(url) || url.startsWith('data:') || (isDev && url.startsWith('devtools:'));
    callback({ cancel: !allowed });
  });
}
