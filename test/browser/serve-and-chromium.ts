import type { Browser } from 'playwright-core';
import { type ServeProcess, startServe } from '../core/node/serve/serve-process.js';
import { launchChromium } from './chromium.js';

/**
 * Starts `pruneflow serve` and Chromium side by side (with any other preparation of the test file). When one of
 * them fails (no Chromium on the machine, say), the others are stopped before the error is passed on, so a test
 * file that cannot start leaves no server running behind it.
 */
export async function startServeAndChromium(chromium: { gpu?: 'off' | 'software' } = {}, ...alongside: Promise<unknown>[]): Promise<[ServeProcess, Browser]> {
  const [serve, browser, ...others] = await Promise.allSettled([startServe(), launchChromium(chromium), ...alongside]);
  if (serve.status === 'fulfilled' && browser.status === 'fulfilled' && others.every((other) => other.status === 'fulfilled'))
    return [serve.value, browser.value];
  if (serve.status === 'fulfilled') serve.value.kill();
  if (browser.status === 'fulfilled') await browser.value.close();
  throw ([serve, browser, ...others].find((result) => result.status === 'rejected') as PromiseRejectedResult).reason;
}
