import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTree } from '../../core/data/file-tree.js';
import { presetContract, rememberInputContract } from '../../core/models/input-contract.js';
import { exportModel } from '../../core/models/io/export-model.js';
import { importModel } from '../../core/models/io/import-model.js';
import { smallOnnx } from '../interop/onnx-fixtures.js';
import { type ServeProcess, startServe } from '../core/node/serve/serve-process.js';
import { launchChromium, openPage } from './browser-page.js';

// An ONNX file (PyTorch's grouped-net, written back by Pruneflow with an input contract in its metadata_props)
// opened on the Model screen through the browser host: its operators as layers, and how it wants its images.
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-onnx-model-'));
const file = join(folder, 'grouped-net.onnx');
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const { model } = await importModel(memoryTree('fixtures', new Map([['grouped-net.onnx', smallOnnx('grouped-net').bytes]])));
  rememberInputContract(model, { ...presetContract('tf', 'file'), labels: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] });
  const [onnx] = await exportModel(model, 'onnx');
  writeFileSync(file, onnx.bytes);
  model.dispose();
  [serve, browser] = await Promise.all([startServe(), launchChromium()]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

describe('an ONNX file on the Model screen in Chromium', () => {
  it(
    'shows its operators as layers, its channel groups, and the input contract from its metadata; takes class names; the export step offers folding ' +
      'for ONNX',
    { timeout: 120_000 },
    async () => {
      const { page, problems } = await openPage(browser, serve.url.href);
      await page.getByRole('button', { name: 'New pruning session' }).click();
      await page.getByRole('button', { name: 'Use the built-in sample' }).click();
      await page.getByRole('region', { name: 'What the engine found' }).waitFor({ timeout: 20_000 });
      await page.getByRole('button', { name: 'Next: choose a model' }).click();
      await page.getByRole('textbox', { name: 'Or a trained model file' }).fill(file);
      await page.getByRole('button', { name: 'Open', exact: true }).click();

      const layers = page.getByRole('region', { name: 'Layers' });
      await layers.waitFor({ timeout: 30_000 });
      const types = await layers.locator('tbody td:nth-child(2)').allTextContents();
      expect(types).toEqual(expect.arrayContaining(['Conv2D', 'GroupedConv2D', 'DepthwiseConv2D', 'OnnxPool2D', 'Concatenate', 'Dense']));
      const groups = await page.getByRole('region', { name: 'Channel groups' }).textContent();
      expect(groups).toContain('grouped_Conv');
      const card = page
        .locator('section, div')
        .filter({ has: page.getByRole('heading', { name: 'How the model expects its images' }) })
        .last();
      // Markup wraps long text: compare it as the page shows it, one space between words.
      const text = (await card.textContent())?.replace(/\s+/g, ' ');
      expect(text).toMatch(/RGB/);
      expect(text).toMatch(/32×32×3/);
      expect(text).toMatch(/zero, one, two/);
      expect(text).toMatch(/Read from the model file \(pixels scaled to \[-1, 1\]/);

      // The user names the model's classes (the contract editor): a count that does not match the outputs is said at once,
      // ten names are taken into the session's settings (the Review step shows them; the run maps classes by them).
      const names = page.getByRole('textbox', { name: "Class names, in the order of the model's outputs" });
      await names.fill('zero, one');
      expect(await page.getByRole('alert').filter({ hasText: '2 class names for 10 outputs' }).count()).toBe(1);
      const ten = ['nought', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
      await names.fill(ten.join('\n'));
      expect(await page.getByRole('alert').filter({ hasText: 'class names for' }).count()).toBe(0);

      // The wizard's export step offers the Project screen's fold-batch-norm choice for ONNX, and only there.
      // (The sample's 28x28 grey images are fitted to the model's 32x32x3 input to get there.)
      await page.getByRole('checkbox', { name: /Fit my images to the model/ }).check();
      await page.getByRole('button', { name: 'Next: set up the pruning' }).click();
      for (const next of ['Next: Target', 'Next: Schedule', 'Next: Training', 'Next: Review']) await page.getByRole('button', { name: next }).click();
      const fold = page.getByRole('checkbox', { name: /Fold batch norms into the layers before them/ });
      expect(await fold.count()).toBe(0);
      const review = (await page.locator('.review dl').textContent())?.replace(/\s+/g, ' ');
      expect(review).toContain(`Model classes ${ten.join(', ')}`);
      await page.getByLabel('Export format').selectOption('onnx');
      await fold.check();
      expect(await fold.isChecked()).toBe(true);
      await page.getByLabel('Export format').selectOption('tfjs');
      expect(await fold.count()).toBe(0);
      expect(problems).toEqual([]);
    },
  );
});
