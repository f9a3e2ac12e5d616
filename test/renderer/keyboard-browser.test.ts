import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from '../browser/serve-and-chromium.js';
import { UI_WAIT } from '../browser/waits.js';
import { longTasksSince, openPage, pageNow, screenshot } from './browser-page.js';

// Keyboard-only use, an error a person can act on, and the UI thread during training, in Debian's
// Chromium through `pruneflow serve` with the real engine.
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  [serve, browser] = await startServeAndChromium();
});

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

/** The focused element's name as a person hears it: its aria-label, its label's text, or its own text. */
const FOCUSED_NAME = `(() => {
  const e = document.activeElement;
  if (!e) return '';
  return (e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].textContent : '') || e.textContent || '').replace(/\\s+/g, ' ').trim();
})()`;

/** Presses Tab until the focused element has this accessible text (at most `limit` presses). */
async function tabTo(page: Page, text: RegExp, limit = 40, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(key);
    const focused = (await page.evaluate(FOCUSED_NAME)) as string;
    if (text.test(focused)) return;
  }
  throw new Error(`Tab never reached ${text}`);
}

const focusedText = (page: Page) => page.evaluate('document.activeElement?.textContent?.trim()') as Promise<string>;

describe('the UI in Chromium, by keyboard', () => {
  it('reaches the wizard review with the keyboard alone; a corrupt data file shows its error and what to do', async () => {
    const corrupt = join(await mkdtemp(join(tmpdir(), 'pruneflow-corrupt-')), 'data_batch_1.bin');
    // A CIFAR-10 record is 3,073 bytes, a label then 3,072 pixels: label 15 is out of range.
    await writeFile(corrupt, new Uint8Array(3073 * 2).fill(15));
    const { page, problems } = await openPage(browser, serve.url.href, 'dark');
    await page.getByRole('region', { name: 'Engine' }).locator('.badge', { hasText: 'WebAssembly' }).waitFor({ timeout: UI_WAIT });

    await tabTo(page, /^New pruning session$/);
    await page.keyboard.press('Enter');
    // The new screen's title takes the focus, so the next Tab starts on the screen.
    expect(await focusedText(page)).toBe('Data');
    await tabTo(page, /^Or a file, archive or folder/);
    await page.keyboard.type(corrupt);
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: UI_WAIT });
    expect(await alert.textContent()).toContain('DatasetFormatError');
    expect(await alert.textContent()).toMatch(/out of range/);
    expect(await alert.textContent()).toMatch(/What to do: .*download it again/);
    await screenshot(page, '13-data-error-dark');

    // The file browser: open it, walk it with the arrow keys, close it with Escape.
    await tabTo(page, /^Browse…$/);
    await page.keyboard.press('Enter');
    await page.getByRole('list', { name: /^Contents of / }).waitFor({ timeout: UI_WAIT });
    await page.keyboard.press('ArrowDown');
    await screenshot(page, '14-file-browser-dark');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog', { name: 'Choose a file or folder' }).count()).toBe(0);

    expect(await focusedText(page)).toBe('Browse…');
    await tabTo(page, /^Use the built-in sample$/, 10, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'What the engine found' }).waitFor({ timeout: UI_WAIT });
    expect(await alert.count()).toBe(0);
    await tabTo(page, /^Next: choose a model$/, 80);
    await page.keyboard.press('Enter');
    expect(await focusedText(page)).toBe('Model');
    await tabTo(page, /^Inspect$/);
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: /Pre-flight report/ }).waitFor({ timeout: UI_WAIT });
    await tabTo(page, /^Next: set up the pruning$/, 80);
    await page.keyboard.press('Enter');

    // The wizard: arrow keys pick a criterion, Next buttons walk the steps, the slider moves by arrow key.
    await tabTo(page, /Group L1 norm/);
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: /LAMP/ }).isChecked()).toBe(true);
    await tabTo(page, /^Next: Target$/);
    await page.keyboard.press('Enter');
    expect(await focusedText(page)).toBe('2. Target');
    await tabTo(page, /% of the FLOPs$/);
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('slider', { name: /Remove 60% of the FLOPs/ }).count()).toBe(1);
    for (const next of ['Schedule', 'Training', 'Review']) {
      await tabTo(page, new RegExp(`^Next: ${next}$`));
      await page.keyboard.press('Enter');
    }
    expect(await focusedText(page)).toBe('5. Review');
    const review = await page.locator('.review dl').textContent();
    expect(review).toContain('LAMP');
    expect(review).toContain('Remove 60% of the FLOPs');
    await tabTo(page, /^Start pruning$/);
    await screenshot(page, '15-review-dark');
    // Alt+1 goes back to the start from anywhere.
    await page.keyboard.press('Alt+1');
    expect(await focusedText(page)).toBe('Welcome');
    expect(problems).toEqual([]);
  });

  it('follows the desktop menu: New goes to the start screen, Open opens the project, Save says why it cannot', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    // The desktop shell as Electron's preload exposes it; the test sends the menu's commands through it.
    await page.addInitScript(`
      window.pruneflowDesktop = {
        onCommand(listener) { window.__menu = listener; return () => {}; },
        setDocumentState() {},
      };
    `);
    await page.goto(serve.url.href);
    await page.getByRole('button', { name: 'New pruning session' }).click();
    expect(await focusedText(page)).toBe('Data');
    await page.evaluate(`window.__menu({ type: 'new-project' })`);
    await expect.poll(() => focusedText(page)).toBe('Welcome');
    // File > Open shows the project screen on that file; a file that is not there says so.
    await page.evaluate(`window.__menu({ type: 'open-project', path: '/home/me/runs.pruneflow' })`);
    await expect.poll(() => focusedText(page)).toBe('Project');
    expect(await page.getByRole('textbox', { name: 'Project file' }).inputValue()).toBe('/home/me/runs.pruneflow');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: UI_WAIT }).toMatch(/This project cannot be opened.*runs\.pruneflow/s);
    // A second Open while the Project screen shows puts the new file in its field.
    await page.evaluate(`window.__menu({ type: 'open-project', path: '/home/me/other.pruneflow' })`);
    await expect.poll(() => page.getByRole('textbox', { name: 'Project file' }).inputValue()).toBe('/home/me/other.pruneflow');
    // Save As of a project that could not be read says why.
    await page.evaluate(`window.__menu({ type: 'save-project', path: '/home/me/runs.pruneflow' })`);
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'The project was not saved' }).textContent(), { timeout: UI_WAIT })
      .toMatch(/other\.pruneflow: no such project file/);
    // With no project at all, Save says how a project file comes about.
    await page.evaluate(`window.__menu({ type: 'new-project' })`);
    const notice = page.getByRole('status').filter({ hasText: 'Nothing to save yet' });
    await page.evaluate(`window.__menu({ type: 'save-project', path: '/home/me/runs.pruneflow' })`);
    expect(await notice.textContent()).toContain('Review step');
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    expect(await notice.count()).toBe(0);
    await page.evaluate(`window.__menu({ type: 'engine-crashed', message: 'The engine stopped (exit code 1).' })`);
    expect(await page.getByRole('alert').filter({ hasText: 'The engine stopped' }).textContent()).toMatch(/exit code 1.*What to do: .*run the session again/s);
  });

  it('keeps the UI thread free while training, and pauses, resumes and cancels the run', async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    await page.getByRole('region', { name: 'Engine' }).locator('.badge', { hasText: 'WebAssembly' }).waitFor({ timeout: UI_WAIT });
    // The instrument works: a 120 ms busy loop in a page task is seen as a long task (one run by the
    // test's own evaluate is not: DevTools calls are not the page's tasks).
    const before = await pageNow(page);
    await page.evaluate('setTimeout(() => { const end = performance.now() + 120; while (performance.now() < end); }, 0)');
    await expect.poll(async () => Math.max(0, ...(await longTasksSince(page, before)).map((t) => t.duration))).toBeGreaterThanOrEqual(100);
    await page.getByLabel('Training epochs').fill('1');
    await page.getByRole('button', { name: 'Run demo' }).click();
    await page.getByRole('progressbar', { name: 'Training progress' }).waitFor({ timeout: UI_WAIT });
    // Long tasks (over 50 ms) on the page's main thread while training runs and the charts redraw.
    const from = await pageNow(page);
    await expect
      .poll(() => page.getByRole('img', { name: /^Loss: / }).getAttribute('aria-label'), { timeout: UI_WAIT, interval: 500 })
      .toMatch(/Loss: ([3-9]\d|\d{3,}) points/);
    const longTasks = await longTasksSince(page, from);
    const seconds = ((await pageNow(page)) - from) / 1000;
    console.log(
      `UI long tasks in ${seconds.toFixed(0)} s of training: ${longTasks.length}, longest ${Math.max(0, ...longTasks.map((t) => t.duration)).toFixed(0)} ms`,
    );
    await screenshot(page, '09-run');
    // The charts have axes: epochs over all training stages along x with numbered ticks, each y axis named with its unit.
    const lossChart = page.getByRole('img', { name: /^Loss: / });
    expect(await lossChart.getAttribute('aria-label')).toContain('x axis: Epoch (all training stages), y axis: Cross-entropy loss');
    const epochs = (await lossChart.locator('text.x-tick').allTextContents()).map(Number);
    expect(epochs.length).toBeGreaterThanOrEqual(2);
    // Still in the first of 1 epoch: ticks between 0 and 1, rising.
    expect(epochs.every((epoch, i) => epoch >= 0 && epoch <= 1 && (i === 0 || epoch > epochs[i - 1]))).toBe(true);

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('status').getByText('Paused', { exact: true }).waitFor({ timeout: UI_WAIT });
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('status').getByText('Running', { exact: true }).waitFor({ timeout: UI_WAIT });
    // Cancelling asks first; keeping the run changes nothing.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Keep running' }).click();
    expect(await page.getByRole('status').getByText('Running', { exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await page.getByRole('status').getByText('Cancelled', { exact: true }).waitFor({ timeout: UI_WAIT });
    const log = await page.getByRole('list', { name: 'Run log, newest first' }).textContent();
    expect(log).toMatch(/Paused.*Resumed|Cancelled/s);
    expect(log).toContain('Cancelled');
    expect(problems).toEqual([]);
  });
});
