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
import { RUN_WAIT, UI_WAIT } from '../browser/waits.js';
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

    // The sweep's comparison: its two sessions side by side, with the accuracy-against-FLOPs chart.
    await page.getByRole('button', { name: "Compare the sweep's sessions" }).click();
    await expect.poll(() => heading.textContent()).toBe('Compare sessions');
    const compared = page.getByRole('table', { name: 'Compared sessions' });
    await compared.waitFor({ timeout: UI_WAIT });
    const comparedRows = await compared.locator('tbody tr').allInnerTexts();
    expect(comparedRows).toHaveLength(2);
    expect(comparedRows.join('\n')).toMatch(/Random/);
    await page.getByRole('heading', { name: 'Accuracy against FLOPs' }).waitFor({ timeout: UI_WAIT });
    await page.keyboard.press('Alt+0');
    await expect.poll(() => heading.textContent()).toBe('Sweep: many sessions at once');

    await page.getByRole('button', { name: 'See the sessions in the project' }).click();
    expect(await heading.textContent()).toBe('Project');
    await expect.poll(() => sessions.locator('tbody tr').count(), { timeout: UI_WAIT }).toBe(3);
    const rows = await sessions.locator('tbody tr').allInnerTexts();
    expect(rows.filter((row) => /done/.test(row))).toHaveLength(3);
    expect(rows.join('\n')).toMatch(/Random[\s\S]*done/);
    expect(problems).toEqual([]);
  }, 180_000);

  it('finds a running sweep again after a reload: its settings, its job table (still updating) and Cancel', async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    const heading = page.getByRole('heading', { level: 1 });
    await page.getByRole('button', { name: 'Open a project…' }).click();
    await page.getByRole('textbox', { name: 'Project file' }).fill(projectFile);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('table', { name: 'Sessions of the project' }).waitFor({ timeout: UI_WAIT });
    await page.keyboard.press('Alt+0');
    await expect.poll(() => heading.textContent()).toBe('Sweep: many sessions at once');

    // Schedules are an axis, ticked from the keyboard like every checkbox; the early-stop margin has its label.
    const schedules = page.getByRole('group', { name: 'Schedules' });
    await schedules.getByRole('checkbox', { name: 'Iterative' }).focus();
    await page.keyboard.press('Space');
    expect(await schedules.getByRole('checkbox', { name: 'Iterative' }).isChecked()).toBe(true);
    const seeds = page.getByRole('group', { name: 'Seeds' });
    await seeds.getByRole('checkbox', { name: '2' }).check();
    await seeds.getByRole('checkbox', { name: '3' }).check();
    await seeds.getByRole('checkbox', { name: '1' }).uncheck();
    await page.getByRole('group', { name: 'Fine-tuning epochs' }).getByRole('checkbox', { name: '0' }).check();
    await page.getByRole('group', { name: 'Fine-tuning epochs' }).getByRole('checkbox', { name: '1' }).uncheck();
    const margin = page.getByRole('spinbutton', { name: 'Early-stop margin (points of top-1)' });
    expect(await margin.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'Stop a session early when it falls behind' }).check();
    await margin.fill('50');
    await page.getByRole('spinbutton', { name: 'Worker threads' }).fill('1');
    await expect.poll(() => page.locator('p.count').innerText(), { timeout: UI_WAIT }).toMatch(/^4 sessions · estimate/);
    await page.getByRole('button', { name: 'Start the sweep' }).click();
    const jobs = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Worker' }) });
    await jobs.waitFor({ timeout: UI_WAIT });

    // The sweep runs in `pruneflow serve`, not in the page: leaving does not stop it, so the page does not ask.
    const asks = await page.evaluate(
      `(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; })()`,
    );
    expect(asks).toBe(false);
    await page.reload();
    // The address brings back the project and the Sweep screen; the screen asks the engine what runs.
    await expect.poll(() => heading.textContent(), { timeout: UI_WAIT }).toBe('Sweep: many sessions at once');
    await jobs.waitFor({ timeout: UI_WAIT });
    const statuses = () => jobs.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
    await expect.poll(() => statuses().then((s) => s.length), { timeout: UI_WAIT }).toBe(4);
    const first = await statuses();
    expect(
      first.some((status) => status === 'queued' || status === 'running'),
      first.join(),
    ).toBe(true);
    // The sweep's settings came back with it, the axes locked while it runs.
    expect(await schedules.getByRole('checkbox', { name: 'Iterative' }).isChecked()).toBe(true);
    expect(await schedules.getByRole('checkbox', { name: 'Iterative' }).isDisabled()).toBe(true);
    expect(await margin.inputValue()).toBe('50');
    expect(await page.getByRole('button', { name: 'Start the sweep' }).isDisabled()).toBe(true);
    // Still updating: a job moves on after the reload.
    await expect.poll(async () => (await statuses()).join(), { timeout: RUN_WAIT }).not.toBe(first.join());

    // Another window, with no project open: the Sweep screen is there (Alt+0) and shows the same jobs.
    const other = await openPage(browser, serve.url.href);
    await other.page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /Sweep/ }).waitFor({ timeout: UI_WAIT });
    await other.page.keyboard.press('Alt+0');
    await expect.poll(() => other.page.getByRole('heading', { level: 1 }).textContent(), { timeout: UI_WAIT }).toBe('Sweep: many sessions at once');
    const otherJobs = other.page.getByRole('table').filter({ has: other.page.getByRole('columnheader', { name: 'Worker' }) });
    await expect.poll(() => otherJobs.locator('tbody tr').count(), { timeout: UI_WAIT }).toBe(4);
    expect(await other.page.getByRole('button', { name: 'Cancel the sweep' }).isEnabled()).toBe(true);
    expect(other.problems).toEqual([]);
    await other.page.close();

    await page.getByRole('button', { name: 'Cancel the sweep' }).click();
    await expect
      .poll(
        () =>
          page
            .getByRole('status')
            .filter({ hasText: /^Finished:/ })
            .count(),
        { timeout: RUN_WAIT },
      )
      .toBe(1);
    const end = await statuses();
    expect(end.filter((status) => status === 'cancelled').length, end.join()).toBeGreaterThanOrEqual(1);
    expect(
      end.every((status) => status === 'cancelled' || status === 'done'),
      end.join(),
    ).toBe(true);
    expect(problems).toEqual([]);
  }, 300_000);
});
