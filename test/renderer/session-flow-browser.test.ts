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
import { RUN_WAIT, UI_WAIT } from '../browser/waits.js';
import { openPage, screenshot } from './browser-page.js';

// A session's importance flow in Debian's Chromium through `pruneflow serve`: opened from Results with one
// click, for a run saved into no project (the untrained demo CNN, seconds) and for a session of a reopened
// project (made by the command line, iterative in 2 steps). Its kept channels per layer are the ones the
// Results screen lists; the layer panel, the search and the keyboard reach them.
const run = promisify(execFile);
const CLI = join(ROOT, 'dist/core/node/cli.js');
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-flow-ui-'));
const projectFile = join(folder, 'steps.pruneflow');

let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  const made = run(process.execPath, [
    CLI,
    'prune',
    '--demo',
    '--epochs',
    '0',
    '--fine-tune-epochs',
    '0',
    '--sample',
    '500,200',
    '--schedule',
    'iterative',
    '--schedule-steps',
    '2',
    '--project',
    projectFile,
  ]);
  [serve, browser] = await startServeAndChromium({}, made);
}, RUN_WAIT);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

/** The Results screen's "Kept channels per layer": layer -> [kept, before]. */
async function resultWidths(page: Page): Promise<Map<string, [number, number]>> {
  const rows = await page.getByRole('table', { name: 'Channels kept per layer' }).locator('tbody tr').allInnerTexts();
  return new Map(
    rows.map((row) => {
      const [name, , counts] = row.split('\t').map((cell) => cell.trim());
      const [kept, before] = counts.split('/').map((n) => Number(n.trim()));
      return [name, [kept, before]];
    }),
  );
}

/** Every layer of the flow opened in the side panel by its name in the header: layer -> [kept, total]. */
async function flowWidths(page: Page): Promise<Map<string, [number, number]>> {
  const header = page.getByRole('group', { name: 'Layer names, input to output' });
  const names = await header.getByRole('button').allInnerTexts();
  const widths = new Map<string, [number, number]>();
  for (const name of names) {
    await header.getByRole('button', { name, exact: true }).click();
    const panel = page.getByRole('region', { name: `Layer ${name}` });
    const kept = panel.locator('[data-kept]');
    widths.set(name, [Number(await kept.getAttribute('data-kept')), Number(await kept.getAttribute('data-total'))]);
  }
  return widths;
}

describe('a session’s importance flow in Chromium', () => {
  it('opens a run’s flow from Results at once, with its kept channels, the layer panel, search and keys', { timeout: RUN_WAIT + 2 * UI_WAIT }, async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    const heading = page.getByRole('heading', { level: 1 });
    await page.getByLabel('Training epochs').fill('0');
    await page.getByLabel('Fine-tuning epochs').fill('0');
    await page.getByRole('button', { name: 'Run demo' }).click();
    await page.getByRole('button', { name: 'See the results' }).click({ timeout: RUN_WAIT });
    expect(await heading.textContent()).toBe('Results');
    const expected = await resultWidths(page);
    expect([...expected.values()].some(([kept, before]) => kept < before)).toBe(true);

    await page.getByRole('button', { name: 'See the importance flow' }).click();
    expect(await heading.textContent()).toBe('Importance flow');
    const figure = page.getByRole('figure', { name: 'Importance flow' });
    await figure.waitFor({ timeout: UI_WAIT });
    // The demo's CNN was not trained: the flow says its scores are those of random weights.
    expect(await page.getByRole('note').textContent()).toMatch(/Untrained weights/);
    expect(await page.locator('.stepper output').innerText()).toMatch(/^pruned/);

    // Every layer of the Results table is a named column, with the same kept channels.
    expect(await flowWidths(page)).toEqual(expected);

    // The layer panel: kept of total, a histogram of its channels, and why it was cut.
    const cut = [...expected].find(([, [kept, before]]) => kept < before)![0];
    await page.getByRole('group', { name: 'Layer names, input to output' }).getByRole('button', { name: cut, exact: true }).click();
    const panel = page.getByRole('region', { name: `Layer ${cut}` });
    expect(await panel.textContent()).toMatch(/Global ranking: .* fell below the model-wide cut-off/);
    expect(
      await panel
        .getByRole('img', { name: /^Importance of its \d+ channels/ })
        .locator('rect.removed-bar')
        .count(),
    ).toBeGreaterThan(0);

    // Search by name: the count, the matching names marked, Enter opens the first in the panel.
    const search = page.getByRole('searchbox', { name: 'Find a layer by name' });
    const last = [...expected.keys()].at(-1)!;
    await search.fill(last.toUpperCase());
    expect(
      await figure
        .getByRole('status')
        .filter({ hasText: /layers?$/ })
        .textContent(),
    ).toBe('1 layer');
    expect(await page.locator('.header .name.match').allInnerTexts()).toEqual([last]);
    await search.press('Enter');
    await page.getByRole('region', { name: `Layer ${last}` }).waitFor({ timeout: UI_WAIT });
    await search.fill('');

    // Keys: a channel takes the focus, Enter opens its layer, Escape closes the panel.
    await page.focus('[data-node][tabindex="0"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    const second = [...expected.keys()][1];
    await page.getByRole('region', { name: `Layer ${second}` }).waitFor({ timeout: UI_WAIT });
    await page.getByRole('group', { name: 'Layer names, input to output' }).getByRole('button', { name: cut, exact: true }).click();
    await screenshot(page, '12b-importance-flow-layer');
    await page.focus('[data-node][tabindex="0"]');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('region', { name: /^Layer / }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens the flow of a reopened project’s session from its Results, step by step', { timeout: 3 * UI_WAIT }, async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    const heading = page.getByRole('heading', { level: 1 });
    await page.getByRole('button', { name: 'Open a project…' }).click();
    await page.getByRole('textbox', { name: 'Project file' }).fill(projectFile);
    await page.getByRole('textbox', { name: 'Project file' }).press('Enter');
    await page.getByRole('button', { name: /^Results of / }).click({ timeout: UI_WAIT });
    expect(await heading.textContent()).toBe('Results');
    const expected = await resultWidths(page);

    await page.getByRole('button', { name: 'See the importance flow' }).click();
    const figure = page.getByRole('figure', { name: 'Importance flow' });
    await figure.waitFor({ timeout: UI_WAIT });
    expect(await figure.locator('.sub').textContent()).toMatch(/Session [\s\S]* iterative, 2 steps/);
    expect(await page.locator('.stepper output').innerText()).toMatch(/^step 2 of 2/);
    expect(await flowWidths(page)).toEqual(expected);
    // The first step kept more than the last, and the unpruned model keeps all.
    const slider = page.getByRole('slider', { name: 'Schedule step' });
    await slider.fill('0');
    expect(await page.locator('.stepper output').innerText()).toMatch(/^unpruned\s+0\.0% FLOPs removed/);
    const header = page.getByRole('group', { name: 'Layer names, input to output' });
    const first = [...expected.keys()][0];
    await header.getByRole('button', { name: first, exact: true }).click();
    expect(
      await page
        .getByRole('region', { name: `Layer ${first}` })
        .locator('[data-kept]')
        .getAttribute('data-kept'),
    ).toBe(String(expected.get(first)![1]));
    expect(problems).toEqual([]);
    await page.close();
  });
});
