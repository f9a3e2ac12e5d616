import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe } from '../core/node/serve/serve-process.js';
import { launchChromium, openPage, screenshot } from './browser-page.js';

// The whole wizard in Debian's Chromium through `pruneflow serve`, with the real engine: the built-in
// sample, the demo CNN untrained (0 epochs: a run in seconds), from the start screen to the results.
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  [serve, browser] = await Promise.all([startServe(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

describe('the wizard in Chromium', () => {
  it('goes from the start screen through data, model and set-up to a finished run, its results and the project it saved', async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => page.getByRole('region', { name: 'Engine' }).textContent(), { timeout: 30_000 }).toContain('WebAssembly');
    // Screens with nothing to show yet are not offered.
    expect(await page.getByRole('navigation', { name: 'Screens' }).getByRole('button').allInnerTexts()).toEqual(['Start', 'Data', 'Model']);
    await screenshot(page, '01-start');

    await page.getByRole('button', { name: 'New pruning session' }).click();
    expect(await heading.textContent()).toBe('Data');
    await page.getByRole('button', { name: 'Use the built-in sample' }).click();
    const found = page.getByRole('region', { name: 'What the engine found' });
    await found.waitFor({ timeout: 20_000 });
    expect(await found.textContent()).toContain('Fashion-MNIST sample');
    expect(await page.getByRole('img', { name: /^Ankle boot, image/ }).count()).toBe(4);
    // The thumbnails are painted: their bytes crossed the socket as bytes.
    const lit = await page.evaluate(`(() => {
      const canvas = document.querySelector('canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let lit = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 0 && pixels[i + 3] === 255) lit++;
      return lit;
    })()`);
    expect(lit).toBeGreaterThan(50);
    expect(await page.getByRole('table', { name: 'Images per class and split' }).getByRole('row').count()).toBe(11);
    await screenshot(page, '02-data');

    await page.getByRole('button', { name: 'Next: choose a model' }).click();
    expect(await heading.textContent()).toBe('Model');
    // A CIFAR model is inspected at its own size, and the screen says the session builds it for these images.
    await page.getByLabel('A built-in model').selectOption('resnet20');
    await page.getByRole('button', { name: 'Inspect' }).click();
    await expect.poll(() => page.getByText(/^Shown as built for/).textContent(), { timeout: 20_000 }).toMatch(/32×32×3 images.*your 28×28×1 images/);
    await page.getByLabel('A built-in model').selectOption('demo-cnn');
    await page.getByRole('button', { name: 'Inspect' }).click();
    const report = page.getByRole('region', { name: /Pre-flight report: demo_cnn/ });
    await report.waitFor({ timeout: 20_000 });
    expect(await page.getByText(/^Shown as built for/).count()).toBe(0);
    expect(await report.textContent()).toMatch(/\d+ of \d+ channel groups can be pruned/);
    expect(await page.getByRole('table', { name: 'Layers' }).getByRole('row').count()).toBeGreaterThan(8);
    await screenshot(page, '03-model');

    await page.getByRole('button', { name: 'Next: set up the pruning' }).click();
    expect(await heading.textContent()).toBe('Set up the pruning');
    expect(await page.getByRole('radio', { name: /L1 norm/ }).isChecked()).toBe(true);
    await screenshot(page, '04-setup-criterion');
    await page.getByRole('button', { name: 'Next: Target' }).click();
    const slider = page.getByRole('slider', { name: /Remove \d+% of the FLOPs/ });
    const outcome = page.locator('.outcome');
    await outcome.waitFor({ timeout: 20_000 });
    const at50 = await outcome.textContent();
    await slider.fill('0.3');
    // The slider moves the counted FLOPs and parameters with it.
    expect(await outcome.textContent()).not.toBe(at50);
    await screenshot(page, '05-setup-target');
    await page.getByRole('button', { name: 'Next: Schedule' }).click();
    await page.getByRole('radio', { name: /Iterative/ }).check();
    await screenshot(page, '06-setup-schedule');
    await page.getByRole('radio', { name: /One shot/ }).check();
    await page.getByRole('button', { name: 'Next: Training' }).click();
    await page.getByLabel('Baseline training epochs').fill('0');
    await page.getByLabel('Fine-tuning epochs').fill('0');
    await screenshot(page, '07-setup-training');
    await page.getByRole('button', { name: 'Next: Review' }).click();
    const projectFile = join(mkdtempSync(join(tmpdir(), 'pruneflow-wizard-')), 'wizard.pruneflow');
    await page.getByLabel('Save to project file (optional)').fill(projectFile);
    const review = await page.locator('.review dl').textContent();
    expect(review).toContain('Remove 30% of the FLOPs');
    expect(review).toMatch(/Run time\s*about \d/);
    await screenshot(page, '08-setup-review');

    await page.getByRole('button', { name: 'Start pruning' }).click();
    await expect.poll(() => heading.textContent()).toBe('Run');
    await page.getByRole('button', { name: 'See the results' }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('list', { name: 'Run log, newest first' }).textContent()).toMatch(/Done in \d+ s/);
    expect(await page.getByRole('table', { name: 'Channels kept per layer' }).getByRole('row').count()).toBeGreaterThan(2);
    await screenshot(page, '10-run-done');

    await page.getByRole('button', { name: 'See the results' }).click();
    expect(await heading.textContent()).toBe('Results');
    const table = page.getByRole('region', { name: 'Result', exact: true }).getByRole('table');
    expect(await table.locator('caption').textContent()).toContain('Before and after pruning by L1 norm');
    const rows = await table.getByRole('row').allTextContents();
    expect(rows.find((row) => row.startsWith('FLOPs'))).toMatch(/−(29|3\d)\.\d%/);
    await screenshot(page, '11-results');
    // The theme menu overrides the system's choice, and the page follows at once.
    const background = () => page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    const light = await background();
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await background()).not.toBe(light);
    await screenshot(page, '11-results-dark');
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('system');
    expect(await background()).toBe(light);

    await page.getByRole('button', { name: 'See the importance flow' }).click();
    await page.getByRole('button', { name: 'Show the flow' }).click();
    const step = page.getByRole('slider', { name: 'Schedule step' });
    await step.waitFor({ timeout: 30_000 });
    await step.fill('0');
    expect(await page.locator('.stepper output').textContent()).toMatch(/0\.0% FLOPs removed/);
    await step.press('End');
    await screenshot(page, '12-importance-flow');
    // The diagram's own colours follow the chosen theme too, not only the system's.
    const linkColour = () => page.evaluate("getComputedStyle(document.querySelector('.links path:not(.residual)')).stroke");
    const lightLinks = await linkColour();
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    expect(await linkColour()).not.toBe(lightLinks);
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('system');
    expect(await linkColour()).toBe(lightLinks);

    // The run saved into a project file: the Results screen opens it, with this session listed as done.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Results' }).click();
    await page.getByRole('button', { name: 'Open the project' }).click();
    expect(await heading.textContent()).toBe('Project');
    const sessions = page.getByRole('table', { name: 'Sessions of the project' });
    await sessions.waitFor({ timeout: 20_000 });
    expect(await sessions.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/l1[\s\S]*FLOPs −30%[\s\S]*done/)]);
    expect(problems).toEqual([]);
  });
});
