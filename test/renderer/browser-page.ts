import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../build/run.js';

/** Debian's Chromium, as every browser test starts it. */
export { launchChromium } from '../browser/chromium.js';

/**
 * Screenshots go to docs/screenshots when PRUNEFLOW_SCREENSHOTS=1 (to refresh the README's pictures),
 * else to a temporary folder: every run takes them, so a screen that fails to draw fails the test.
 */
export const SCREENSHOT_DIR = process.env.PRUNEFLOW_SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : mkdtempSync(join(tmpdir(), 'pruneflow-shots-'));
mkdirSync(SCREENSHOT_DIR, { recursive: true });

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** A 1280x720 page that records console errors, uncaught errors and long tasks (PerformanceObserver 'longtask'). */
export async function openPage(browser: Browser, url: string, colorScheme: 'light' | 'dark' = 'light') {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme });
  const problems: string[] = [];
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('pageerror', (error) => problems.push(error.message));
  // Page code as a string: this file is type-checked for Node, without the DOM.
  await page.addInitScript(`
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  `);
  await page.goto(url);
  return { page, problems };
}

export async function longTasksSince(page: Page, since: number): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(`window.__longTasks.filter((t) => t.start >= ${since})`);
}

export const pageNow = (page: Page) => page.evaluate('performance.now()') as Promise<number>;

/** Pixels by which the widest table sticks out of its card's content box (0 or less: every table fits its card). */
export const tableOverflow = (page: Page) =>
  page.evaluate(`(() => Math.max(-Infinity, ...[...document.querySelectorAll('main section table')].map((table) => {
    const card = table.closest('section');
    return table.getBoundingClientRect().right - (card.getBoundingClientRect().right - parseFloat(getComputedStyle(card).paddingRight));
  })))()`) as Promise<number>;

/** Pixels by which the widest card sticks out of the page's column (0 or less: everything fits). */
export const overflowRight = (page: Page) =>
  page.evaluate(`(() => {
    const main = document.querySelector('main');
    const right = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
    return Math.max(...[...main.querySelectorAll('section')].map((s) => s.getBoundingClientRect().right)) - right;
  })()`) as Promise<number>;
