import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as encodePng } from 'fast-png';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from '../browser/serve-and-chromium.js';
import { UI_WAIT } from '../browser/waits.js';
import { openPage } from './browser-page.js';

// A Keras model that calls one block twice (shared_block.keras, made by real Keras 3) and a folder of images it fits:
// what the Model screen's pre-flight and the criterion step say before a run that CIP could not score.
const MODEL = fileURLToPath(new URL('../fixtures/models/keras/shared_block.keras', import.meta.url));
const images = join(mkdtempSync(join(tmpdir(), 'pruneflow-shared-ui-')), 'images');
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  let seed = 3;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 256;
  for (const split of ['train', 'test'])
    for (const name of ['a', 'b', 'c', 'd']) {
      mkdirSync(join(images, split, name), { recursive: true });
      for (let i = 0; i < 3; i++)
        writeFileSync(
          join(images, split, name, `${i}.png`),
          encodePng({ width: 8, height: 8, channels: 3, depth: 8, data: Uint8Array.from({ length: 192 }, random) }),
        );
    }
  [serve, browser] = await startServeAndChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

describe('a model with a shared layer in Chromium', () => {
  it(
    'the pre-flight report names the criteria it cannot use and why; the criterion step offers them greyed out with the reason',
    { timeout: 120_000 },
    async () => {
      const { page, problems } = await openPage(browser, serve.url.href);
      await page.getByRole('button', { name: 'New pruning session' }).click();
      await page.getByRole('textbox', { name: /^Or a file, archive or folder/ }).fill(images);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await page.getByRole('region', { name: 'What the engine found' }).waitFor({ timeout: UI_WAIT });
      await page.getByRole('button', { name: 'Next: choose a model' }).click();
      await page.getByRole('textbox', { name: 'Or a trained model file' }).fill(MODEL);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      const summary = page.locator('ul.summary');
      await summary.waitFor({ timeout: UI_WAIT });
      expect((await summary.textContent())?.replace(/\s+/g, ' ')).toMatch(
        /Not available for this model: the cip and nisp criteria and the importance flow\. The model shares layers 'block_conv' \(called 2 times\)/,
      );
      await page.getByRole('button', { name: 'Next: set up the pruning' }).click();
      const radio = (id: string) => page.locator(`input[name="criterion"][value="${id}"]`);
      await radio('l1').waitFor({ timeout: UI_WAIT });
      expect(await radio('cip').isDisabled()).toBe(true);
      expect(await radio('nisp').isDisabled()).toBe(true);
      expect(await radio('l1').isDisabled()).toBe(false);
      expect(await radio('taylor').isDisabled()).toBe(false);
      const cip = page.locator('label.criterion').filter({ has: radio('cip') });
      expect(await cip.textContent()).toMatch(/Not for this model: The model shares layers 'block_conv' \(called 2 times\)/);
      expect(problems).toEqual([]);
    },
  );
});
