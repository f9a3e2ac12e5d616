import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../build/run.js';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from '../browser/serve-and-chromium.js';
import { UI_WAIT } from '../browser/waits.js';
import { openPage } from './browser-page.js';

// A project with one tiny session made by the command line (its baseline: the untrained demo CNN), then a
// 2-job sweep started from the Sweep screen in Chromium through `pruneflow serve`: seconds per job.
const run = promisify(execFile);
const CLI = join(ROOT, 'dist/core/node/cli.js');
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-sweep-browser-'));
const projectFile = join(folder, 'sweep.pruneflow');

let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  const made = run(process.execPath, [CLI, 'prune', '--demo', '--epochs', '0', '--fine-tune-epochs', '0', '--sample', '200,100', '--project', projectFile]);
  [serve, browser] = await startServeAndChromium({}, made);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

describe('a sweep in Chromium', () => {
  it('ticks two criteria, shows the count and an estimate, runs both jobs and finds both sessions done on the Project screen', async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    const heading = page.getByRole('heading', { level: 1 });
    await page.getByRole('button', { name: 'Open a project…' }).click();
    await page.getByRole('textbox', { name: 'Project file' }).fill(projectFile);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const sessions = page.getByRole('table', { name: 'Sessions of the project' });
    await sessions.waitFor({ timeout: UI_WAIT });
    expect(await sessions.locator('tbody tr').count()).toBe(1);

    // Alt+0 opens the Sweep screen; the axes are checkboxes, each labelled.
    await page.keyboard.press('Alt+0');
    await expect.poll(() => heading.textContent()).toBe('Sweep: many sessions at once');
    await page.getByRole('group', { name: 'Criteria' }).getByRole('checkbox', { name: 'Random' }).check();
    await page.getByRole('group', { name: 'Fine-tuning epochs' }).getByRole('checkbox', { name: '0' }).check();
    await page.getByRole('group', { name: 'Fine-tuning epochs' }).getByRole('checkbox', { name: '1' }).uncheck();
    await expect.poll(() => page.locator('p.count').innerText(), { timeout: UI_WAIT }).toMatch(/^2 sessions · estimate: about \d/);

    await page.getByRole('button', { name: 'Start the sweep' }).click();
    const jobs = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Worker' }) });
    await jobs.waitFor({ timeout: UI_WAIT });
    await expect
      .poll(
        () =>
          page
            .getByRole('status')
            .filter({ hasText: /^Finished:/ })
            .count(),
        { timeout: 120_000 },
      )
      .toBe(1);
    expect(await jobs.locator('tbody tr[data-status="done"]').count()).toBe(2);

    await page.getByRole('button', { name: 'See the sessions in the project' }).click();
    expect(await heading.textContent()).toBe('Project');
    await expect.poll(() => sessions.locator('tbody tr').count(), { timeout: UI_WAIT }).toBe(3);
    const rows = await sessions.locator('tbody tr').allInnerTexts();
    expect(rows.filter((row) => /done/.test(row))).toHaveLength(3);
    expect(rows.join('\n')).toMatch(/Random[\s\S]*done/);
    expect(problems).toEqual([]);
  }, 180_000);
});
