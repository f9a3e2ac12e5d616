import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetContract } from '../../core/models/input-contract.js';
import { exportModel } from '../../core/models/io/export-model.js';
import { zooEntry } from '../../core/models/zoo.js';
import { type ServeProcess, startServe } from '../core/node/serve/serve-process.js';
import { launchChromium, openPage } from './browser-page.js';

// A trained model file that does not fit the images (32x32 colour, the built-in sample is 28x28 gray):
// stopped on the Model screen with the fix offered; then not retrained by default, run as a quick trial,
// and asked before its export replaces a model already in the folder. Untrained weights, 0 fine-tuning
// epochs and a small sample: the run takes seconds.
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-model-file-'));
const modelFolder = join(folder, 'colour-model');
const exportFolder = join(folder, 'export');
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = zooEntry('demo-cnn').build({ inputShape: [32, 32, 3], numClasses: 10 });
  mkdirSync(modelFolder);
  // The file says how it is fed (as a Pruneflow export does): untrained weights would fail input detection.
  for (const f of await exportModel(model, 'tfjs', { contract: presetContract('unit', 'file') })) writeFileSync(join(modelFolder, f.name), f.bytes);
  model.dispose();
  // Another session's export already there.
  mkdirSync(exportFolder);
  writeFileSync(join(exportFolder, 'model.json'), '{"theirs": true}');
  [serve, browser] = await Promise.all([startServe(), launchChromium()]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

describe('a trained model file in Chromium', () => {
  it('is checked against the images on the Model screen, keeps its weights, and asks before replacing an export', { timeout: 180_000 }, async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    const heading = page.getByRole('heading', { level: 1 });
    await page.getByRole('button', { name: 'New pruning session' }).click();
    await page.getByRole('button', { name: 'Use the built-in sample' }).click();
    await page.getByRole('region', { name: 'What the engine found' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Next: choose a model' }).click();

    await page.getByRole('textbox', { name: 'Or a trained model file' }).fill(join(modelFolder, 'model.json'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'Your images do not fit this model as they are' });
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toMatch(
      new RegExp(
        /The model takes 32×32 images; yours are 28×28\.[\s\S]*Fix: Resize[\s\S]*/.source +
          /colour \(3 channels\) images; yours are grayscale[\s\S]*Fix: Copy the gray channel/.source,
      ),
    );
    const next = page.getByRole('button', { name: 'Next: set up the pruning' });
    expect(await next.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: /^Fit my images to the model/ }).check();
    expect(await next.isDisabled()).toBe(false);
    await next.click();

    // A trained file is measured, not retrained.
    await page.getByRole('button', { name: 'Next: Target' }).click();
    // Without a quick trial ONNX Runtime (in this Node host) times the run: its measured cost model makes the estimate.
    expect(await page.locator('.outcome').textContent({ timeout: 20_000 })).toContain('Latency on ONNX Runtime (CPU) (estimate)');
    await page.getByRole('button', { name: 'Next: Schedule' }).click();
    await page.getByRole('button', { name: 'Next: Training' }).click();
    expect(await page.getByLabel('Baseline training epochs').inputValue()).toBe('0');
    await page.getByLabel('Fine-tuning epochs', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Next: Review' }).click();
    expect(await page.locator('.review dl').textContent()).toMatch(/Images\s*Fitted to the model: Resize the images to 32×32/);
    await page.getByRole('checkbox', { name: /^Quick trial/ }).check();
    // Back on the Target step, the estimate is the quick trial's engine: its few timed images do not repay ONNX Runtime.
    const steps = page.getByRole('navigation', { name: 'Wizard steps' });
    await steps.getByRole('button', { name: /Target/ }).click();
    await expect
      .poll(() => page.locator('.outcome').textContent(), { timeout: 20_000 })
      .toMatch(/Latency on tfjs WebAssembly \(XNNPACK\) in the quick trial \(estimate\)/);
    expect(await page.getByText(/too few images to repay converting the model to ONNX Runtime \(CPU\), which times a full run/).count()).toBe(1);
    await steps.getByRole('button', { name: /Review/ }).click();
    await page.getByLabel('training images').fill('200');
    await page.getByLabel('test images').fill('100');
    await page.getByLabel('Export the pruned model to a folder (optional)').fill(exportFolder);

    // The folder holds another export: asked first; Cancel keeps it and stays on the review.
    const start = page.getByRole('button', { name: 'Start the quick trial' });
    await start.click();
    const dialog = page.getByRole('dialog', { name: 'Replace the model already exported there?' });
    await dialog.waitFor({ timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await heading.textContent()).toBe('Set up the pruning');
    expect(readFileSync(join(exportFolder, 'model.json'), 'utf8')).toBe('{"theirs": true}');
    await start.click();
    await dialog.waitFor({ timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Replace it' }).click();

    await expect.poll(() => heading.textContent(), { timeout: 20_000 }).toBe('Run');
    await page.getByRole('button', { name: 'See the results' }).waitFor({ timeout: 120_000 });
    expect(await page.getByText('This run had no training steps (0 epochs).').count()).toBe(1);
    expect(await page.locator('.stats').textContent()).toMatch(/Throughput\s*–/);
    await page.getByRole('button', { name: 'See the results' }).click();
    // The measured speed-up beside the FLOPs estimate, each named for what it is.
    const headline = await page.locator('.headline').textContent();
    expect(headline).toMatch(/× (faster|\(slower\))\s*measured/);
    // A quick trial times on tfjs (too few images to convert for ONNX Runtime): WebAssembly's cost model, or FLOPs on a backend without one.
    expect(headline).toMatch(/\((estimate for WebAssembly|estimate from FLOPs): \d+\.\d\d×\)/);
    expect(await page.getByText(/Speed-up measured: .*5 paired runs/).count()).toBe(1);
    const exported = JSON.parse(readFileSync(join(exportFolder, 'model.json'), 'utf8')) as { modelTopology?: unknown };
    expect(exported.modelTopology).toBeDefined();
    expect(problems).toEqual([]);
  });
});
