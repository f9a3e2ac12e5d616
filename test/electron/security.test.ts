import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
  const directives = new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

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
  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview'])('prevents %s', (name) => {
    const contents = new FakeWebContents();
    hardenWebContents(contents);
    let prevented = false;
    contents.emit(name, { preventDefault: () => (prevented = true) }, 'https://example.com/');
    expect(prevented).toBe(true);
  });

  it('denies every new window', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents);
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
