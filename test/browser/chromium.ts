import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Headless, offline and quiet. */
const QUIET = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Where the browser tests look for Chromium (or Chrome) when CHROMIUM_PATH names none: Debian's first. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The browser tests cannot run: no Chromium where they look. */
export class ChromiumNotFoundError extends Error {
  override name = 'ChromiumNotFoundError';
}

/**
 * The Chromium the browser tests drive: CHROMIUM_PATH if set, else the first of CHROMIUM_CANDIDATES that
 * exists, else Playwright's own download if there is one. None is a failure that says what to install.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (!exists(chosen)) throw new ChromiumNotFoundError(`CHROMIUM_PATH=${chosen}: no such file. Point it at a Chromium or Chrome executable, or unset it.`);
    return chosen;
  }
  const found = [...CHROMIUM_CANDIDATES, playwrightChromium()].find((path) => path !== undefined && exists(path));
  if (found) return found;
  throw new ChromiumNotFoundError(
    `The browser tests need Chromium and found none (looked at ${CHROMIUM_CANDIDATES.join(', ')}). ` +
      'Install it with `sudo apt-get install chromium` (Debian; on Ubuntu `sudo snap install chromium`), ' +
      'or set CHROMIUM_PATH to a Chromium or Chrome executable.',
  );
}

/** Where `npx playwright install chromium` would have put its browser, if Playwright knows. */
function playwrightChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/**
 * `gpu: 'software'` keeps WebGL on, drawn by SwiftShader on the CPU: the WebGL engine path runs for
 * real without a GPU. Otherwise the GPU is off, as for the UI tests.
 */
export async function launchChromium({ gpu = 'off' }: { gpu?: 'off' | 'software' } = {}): Promise<Browser> {
  const graphics = gpu === 'software' ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : ['--disable-gpu'];
  return chromium.launch({ executablePath: findChromium(), headless: true, args: [...QUIET, ...graphics] });
}
