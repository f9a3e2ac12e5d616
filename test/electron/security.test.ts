import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAppUrl } from '../../electron/app-protocol.js';
import { mainWindowOptions } from '../../electron/main-window.js';
import { allowOnlyLocalRequests, denyAllPermissions, hardenWebContents } from '../../electron/security.js';
import { FakeSession, FakeWebContents } from './fake-electron.js';

// Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security), rule by rule.

describe('renderer isolation (checklist 2-4, 6, 8-10)', () => {
  const preferences = mainWindowOptions({ preload: '/app/preload.cjs' }).webPreferences!;
  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['webviewTag', false],
    ['navigateOnDragDrop', false],
  ] as const)('%s is %s', (key, value) => {
    expect(preferences[key]).toBe(value);
  });

  it('enables no Blink features', () => {
    expect(preferences.enableBlinkFeatures).toBeUndefined();
  });
});

describe('content security policy (checklist 7)', () => {
  const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
  const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
  const directives = new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );

  it('denies by default and allows scripts only from the app itself', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    // WebAssembly compiles for the in-window engine (WebAssembly only: JavaScript eval stays refused).
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
  });

  it('allows no inline code, eval or remote hosts anywhere', () => {
    expect(csp).not.toMatch(/unsafe-inline|'unsafe-eval'|https?:|\*/);
  });
});

describe('web contents (checklist 11-14)', () => {
  /** Whether the page's handler cancelled this event. */
  function prevents(name: string, url: string, isMainFrame = true): boolean {
    const contents = new FakeWebContents();
    hardenWebContents(contents, isAppUrl);
    let prevented = false;
    contents.emit(name, { url, isMainFrame, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview'])('prevents %s away from the app', (name) => {
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://pruneflow.evil/index.html', 'app://other/index.html']) {
      expect(prevents(name, url), url).toBe(true);
    }
  });

  it('lets the main frame move within the app (the Engine panel reloads the page with another engine)', () => {
    const url = 'app://pruneflow/index.html?engine=page&backend=webgpu';
    expect(prevents('will-navigate', url)).toBe(false);
    expect(prevents('will-frame-navigate', url)).toBe(false);
  });

  it('keeps refusing app pages in subframes, redirects and webviews', () => {
    const url = 'app://pruneflow/index.html';
    expect(prevents('will-frame-navigate', url, false)).toBe(true);
    expect(prevents('will-redirect', url)).toBe(true);
    expect(prevents('will-attach-webview', url)).toBe(true);
  });

  it('denies every new window', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents, isAppUrl);
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' });
    }
  });
});

describe('session (checklist 1, 5)', () => {
  it('refuses every permission request and check', () => {
    const session = new FakeSession();
    denyAllPermissions(session);
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      session.request!(undefined, permission, (granted) => answers.push(granted));
    }
    expect(answers).toEqual([false, false, false, false, false]);
    expect(session.check!()).toBe(false);
  });

  it('lets requests out only for app files and data: URLs', () => {
    const session = new FakeSession();
    allowOnlyLocalRequests(session, (url) => url.startsWith('file:///app/renderer/'), false);
    expect(session.allows('file:///app/renderer/assets/index.js')).toBe(true);
    expect(session.allows('data:,')).toBe(true);
    for (const url of ['https://cdn.example.com/lib.js', 'wss://example.com/', 'file:///home/u/.ssh/id_rsa', 'devtools://devtools/']) {
      expect(session.allows(url), url).toBe(false);
    }
  });
});
