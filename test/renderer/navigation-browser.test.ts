import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../build/run.js';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from '../browser/serve-and-chromium.js';
import { UI_WAIT } from '../browser/waits.js';
import { openPage, screenshot } from './browser-page.js';

// The page's address in Debian's Chromium through `pruneflow serve`, with the real engine: a reload keeps
// the screen and the choices, Back and Forward move between screens, and a session of a project made by
// the command line (untrained demo CNN on a sample: seconds) opens its Results, again after a reload.
const CLI = join(ROOT, 'dist/core/node/cli.js');
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-address-'));
const projectFile = join(folder, 'one session.pruneflow');
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  const made = promisify(execFile)(process.execPath, [
    CLI,
    'prune',
    '--demo',
    '--epochs',
    '0',
    '--fine-tune-epochs',
    '0',
    '--sample',
    '500,200',
    '--project',
    projectFile,
  ]);
  [serve, browser] = await startServeAndChromium({}, made);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const screens = (page: Page) => page.getByRole('navigation', { name: 'Screens' }).getByRole('button').allInnerTexts();
/** Whether leaving the page now would ask first (the browser's beforeunload warning). */
const asksBeforeLeaving = (page: Page) =>
  page.evaluate(
    `(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; })()`,
  ) as Promise<boolean>;

describe('the address in Chromium', () => {
  it('a reload keeps the screen, data and model; Back and Forward move between screens; nothing at stake, no leave prompt', async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    await page.getByRole('button', { name: 'New pruning session' }).click();
    await page.getByRole('button', { name: 'Use the built-in sample' }).click();
    await page.getByRole('region', { name: 'What the engine found' }).waitFor({ timeout: UI_WAIT });
    await page.getByRole('button', { name: 'Next: choose a model' }).click();
    await page.getByLabel('A built-in model').selectOption('demo-cnn');
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.getByRole('region', { name: /Pre-flight report: demo_cnn/ }).waitFor({ timeout: UI_WAIT });
    await expect.poll(() => page.evaluate('location.hash')).toBe('#/model?data=builtin%3Afashion-mnist&model=demo-cnn');
    // The served page's token stays in the query.
    expect(new URL(page.url()).searchParams.get('token')).toBe(serve.token);
    expect(await asksBeforeLeaving(page)).toBe(false);

    await page.reload();
    await expect.poll(() => heading(page), { timeout: UI_WAIT }).toBe('Model');
    await page.getByRole('region', { name: /Pre-flight report: demo_cnn/ }).waitFor({ timeout: UI_WAIT });
    expect(await screens(page)).toEqual(['Start', 'Data', 'Model', 'Set up', 'Importance flow']);

    await page.goBack();
    await expect.poll(() => heading(page)).toBe('Data');
    expect(await page.getByRole('region', { name: 'What the engine found' }).textContent()).toContain('Fashion-MNIST sample');
    await page.goBack();
    await expect.poll(() => heading(page)).toBe('Welcome');
    await page.goForward();
    await page.goForward();
    await expect.poll(() => heading(page)).toBe('Model');
    // A screen chosen in the navigation is an entry of its own too.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Set up' }).click();
    await expect.poll(() => page.evaluate('location.hash')).toMatch(/^#\/setup\?/);
    await page.goBack();
    await expect.poll(() => heading(page)).toBe('Model');
    expect(problems).toEqual([]);
  });

  it("a reopened project's session opens its Results with the numbers the project stores, and a reload keeps them", async () => {
    const { page, problems } = await openPage(browser, `${serve.url.href}#/project?project=${encodeURIComponent(projectFile)}`);
    const sessions = page.getByRole('table', { name: 'Sessions of the project' });
    await sessions.waitFor({ timeout: UI_WAIT });
    expect(await heading(page)).toBe('Project');
    const accuracy = (await sessions.locator('tbody tr td.num').first().textContent())!.trim();
    await sessions.getByRole('button', { name: /^Results of / }).click();
    await expect.poll(() => heading(page)).toBe('Results');
    const numbers = page.getByRole('table').first();
    await expect.poll(() => numbers.textContent()).toContain(accuracy);
    const headline = await page.locator('.headline p').textContent();
    expect(headline).toMatch(/FLOPs/);
    expect(await page.getByText(`Saved to the project ${projectFile} as session s1.`).count()).toBe(1);
    await screenshot(page, 'reopened-results');

    await page.reload();
    await expect.poll(() => heading(page), { timeout: UI_WAIT }).toBe('Results');
    expect(await page.locator('.headline p').textContent()).toBe(headline);
    // Back from Results goes to the project it came from.
    await page.goBack();
    await expect.poll(() => heading(page)).toBe('Project');
    expect(problems).toEqual([]);
  });
});
