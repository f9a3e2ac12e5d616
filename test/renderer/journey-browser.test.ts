import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng, decode as decodePng } from 'fast-png';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { presetContract } from '../../core/models/input-contract.js';
import { exportModel } from '../../core/models/io/export-model.js';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from '../browser/serve-and-chromium.js';
import { RUN_WAIT, UI_WAIT } from '../browser/waits.js';
import { openPage, screenshot } from './browser-page.js';

// The non-coder's journey (issue 16) in Debian's Chromium through `pruneflow serve`, with the real engine: a model
// they trained themselves (a small CNN of their own design, trained here with tfjs, saved as a tfjs model.json) and
// a folder of their PNG images. A data set with a class too many is stopped on the Model screen; the right one
// passes; the trained model is not retrained by default; a reload in the middle of the wizard keeps the place; two
// sessions keep separate exports; and the exported model, loaded back with tfjs, scores on the test images what
// Results said. Images are 16x16, 30 of each class: the runs take seconds.
const SIZE = 16;
const CLASSES = ['blue', 'green', 'red'];
const TRAIN_PER_CLASS = 24;
const TEST_PER_CLASS = 10;
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-journey-'));
const images = join(folder, 'my images');
const tooMany = join(folder, 'four classes');
const modelFolder = join(folder, 'my model');
const exportFolder = join(folder, 'pruned');
const projectFile = join(folder, 'journey.pruneflow');
let serve: ServeProcess;
let browser: Browser;

/** A colour image of class `c`: the channel of its colour bright (blue, green, red: B, G, R), with noise on every pixel (seeded). */
function picture(c: number, seed: number): Uint8Array {
  const data = new Uint8Array(SIZE * SIZE * 3);
  let state = seed * 7919 + c * 104729 + 1;
  const noise = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 110;
  for (let i = 0; i < SIZE * SIZE; i++) for (let k = 0; k < 3; k++) data[i * 3 + k] = Math.round(noise() + (k === 2 - (c % 3) ? 140 : 20));
  return data;
}

function writeImageFolder(root: string, classes: string[]): void {
  for (const [split, count] of [
    ['train', TRAIN_PER_CLASS],
    ['test', TEST_PER_CLASS],
  ] as const)
    classes.forEach((name, c) => {
      mkdirSync(join(root, split, name), { recursive: true });
      for (let i = 0; i < count; i++) {
        const png = encodePng({ width: SIZE, height: SIZE, channels: 3, depth: 8, data: picture(c, split === 'train' ? i : 1000 + i) });
        writeFileSync(join(root, split, name, `${i}.png`), png);
      }
    });
}

/** The test split as the user's own script would read it: pixels scaled to [0, 1], labels by folder in name order. */
function testImages(): { x: tf.Tensor4D; labels: number[] } {
  const pixels: number[] = [];
  const labels: number[] = [];
  [...CLASSES].sort().forEach((name, c) => {
    for (const file of readdirSync(join(images, 'test', name))) {
      pixels.push(...Array.from(decodePng(readFileSync(join(images, 'test', name, file))).data, (v) => v / 255));
      labels.push(c);
    }
  });
  return { x: tf.tensor4d(pixels, [labels.length, SIZE, SIZE, 3]), labels };
}

/** A small CNN of the user's own (not a built-in model), trained on the images' train split for a few seconds. */
async function trainOwnModel(): Promise<tfl.LayersModel> {
  const input = tfl.input({ shape: [SIZE, SIZE, 3] });
  let x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'features' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'more_features' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: CLASSES.length, activation: 'softmax', name: 'colour' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output, name: 'my_colour_net' });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const pixels: number[] = [];
  const labels: number[] = [];
  [...CLASSES].sort().forEach((name, c) => {
    for (const file of readdirSync(join(images, 'train', name))) {
      pixels.push(...Array.from(decodePng(readFileSync(join(images, 'train', name, file))).data, (v) => v / 255));
      labels.push(c);
    }
  });
  const [xs, ys] = [tf.tensor4d(pixels, [labels.length, SIZE, SIZE, 3]), tf.tensor1d(labels, 'float32')];
  await model.fit(xs, ys, { epochs: 10, batchSize: 16, shuffle: true, verbose: 0 });
  tf.dispose([xs, ys]);
  return model;
}

/** Top-1 accuracy of an exported tfjs model (model.json and its weight file) on the test images, loaded back with tfjs. */
async function scoreExport(dir: string): Promise<{ accuracy: number; preset: string }> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: { pruneflow?: { inputContract?: { preset: string } } };
  };
  const [manifest] = json.weightsManifest;
  const bytes = readFileSync(join(dir, manifest.paths[0]));
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest.weights,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
  const { x, labels } = testImages();
  const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync());
  x.dispose();
  model.dispose();
  return {
    accuracy: labels.filter((label, i) => predicted[i] === label).length / labels.length,
    preset: json.userDefinedMetadata?.pruneflow?.inputContract?.preset ?? '',
  };
}

const hashOf = (dir: string) =>
  createHash('sha256')
    .update(readFileSync(join(dir, 'model.json')))
    .update(readFileSync(join(dir, 'group1-shard1of1.bin')))
    .digest('hex');

/** The user's files: the two image folders and their trained model. */
async function prepare(): Promise<void> {
  await wasmCandidate.load();
  writeImageFolder(images, CLASSES);
  writeImageFolder(tooMany, [...CLASSES, 'yellow']);
  const model = await trainOwnModel();
  mkdirSync(modelFolder);
  // The file says how it is fed, as a tfjs export with Pruneflow's metadata does.
  for (const f of await exportModel(model, 'tfjs', { contract: presetContract('unit', 'file') })) writeFileSync(join(modelFolder, f.name), f.bytes);
  model.dispose();
}

beforeAll(async () => {
  // Server and browser start in their own processes while the model trains here.
  [serve, browser] = await startServeAndChromium({}, prepare());
}, 300_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

async function openData(page: Page, path: string): Promise<void> {
  await page.getByRole('textbox', { name: /^Or a file, archive or folder/ }).fill(path);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('region', { name: 'What the engine found' }).waitFor({ timeout: UI_WAIT });
}

/** The pruned model's test accuracy on the Results screen, as a fraction. */
async function resultsAccuracy(page: Page): Promise<number> {
  const row = await page.getByRole('region', { name: 'Result', exact: true }).getByRole('row').filter({ hasText: 'Test accuracy' }).innerText();
  const [, after] = [...row.matchAll(/(\d+\.\d)%/g)].map((m) => Number(m[1]) / 100);
  return after;
}

describe("the non-coder's journey in Chromium", () => {
  it(
    'own model and image folder: mismatch stopped, not retrained, place kept over a reload, two sessions with their own exports, the export scores ' +
      'what Results said',
    { timeout: 600_000 },
    async () => {
      const { page, problems } = await openPage(browser, serve.url.href);
      await page.getByRole('button', { name: 'New pruning session' }).click();

      // A data set with a class the model does not know: stopped on the Model screen, with the reason.
      await openData(page, tooMany);
      await page.getByRole('button', { name: 'Next: choose a model' }).click();
      await page.getByRole('textbox', { name: 'Or a trained model file' }).fill(join(modelFolder, 'model.json'));
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      const notice = page.getByRole('alert').filter({ hasText: 'The model predicts 3 classes; the data set has 4.' });
      await notice.waitFor({ timeout: UI_WAIT });
      expect(await notice.innerText()).toMatch(/choose the data set it was trained on/);
      const next = page.getByRole('button', { name: 'Next: set up the pruning' });
      expect(await next.isDisabled()).toBe(true);
      await screenshot(page, 'journey-2-mismatch');

      // The right folder: the same model fits.
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Data' }).click();
      await openData(page, images);
      await screenshot(page, 'journey-1-data');
      await page.getByRole('button', { name: 'Next: choose a model' }).click();
      await page.getByRole('region', { name: /Pre-flight report: my_colour_net/ }).waitFor({ timeout: UI_WAIT });
      expect(await page.getByText('The model predicts 3 classes').count()).toBe(0);
      expect(await next.isDisabled()).toBe(false);
      await next.click();

      // The target step: the estimate comes from the cost model of the engine that will time the run.
      await page.getByRole('button', { name: 'Next: Target' }).click();
      const outcome = page.locator('.outcome');
      await outcome.waitFor({ timeout: UI_WAIT });
      expect(await outcome.innerText()).toMatch(/Latency on ONNX Runtime \(CPU\) \(estimate\)\s*≈ \d+\.\d\d× (faster|\(slower\))/);
      const why = await page.locator('#rounding-why').innerText();
      const rounding = await page.getByRole('combobox', { name: /Round kept channels/ }).inputValue();
      // ONNX Runtime's block (16) fitted to the model's narrowest layer (16 channels): at most half of it.
      expect(rounding).toBe('8');
      expect(why).toMatch(/^Rounded to 8 by default: the kernels work on 16 channels at once, but the narrowest layer has 16 channels/);
      await screenshot(page, 'journey-3-target');

      // A reload in the middle keeps the place: the screen, the wizard's step, the data, the model and the settings.
      await page.getByRole('slider', { name: /Remove \d+% of the FLOPs/ }).fill('0.4');
      await page.reload();
      await expect.poll(() => heading(page), { timeout: UI_WAIT }).toBe('Set up the pruning');
      expect(await page.locator('#setup-step-title').innerText()).toBe('2. Target');
      expect(await page.getByRole('slider', { name: /Remove \d+% of the FLOPs/ }).inputValue()).toBe('0.4');
      await outcome.waitFor({ timeout: UI_WAIT });
      expect(await page.locator('.outcome').innerText()).toMatch(/FLOPs per image/);

      // A trained file is measured, not retrained.
      await page.getByRole('button', { name: 'Next: Schedule' }).click();
      await page.getByRole('button', { name: 'Next: Training' }).click();
      expect(await page.getByLabel('Baseline training epochs').inputValue()).toBe('0');
      await page.getByLabel('Fine-tuning epochs', { exact: true }).fill('0');
      await page.getByRole('button', { name: 'Next: Review' }).click();
      await page.getByLabel('Save to project file (optional)').fill(projectFile);
      await page.getByLabel('Export the pruned model to a folder (optional)').fill(exportFolder);
      await page.getByRole('button', { name: 'Start pruning' }).click();
      await expect.poll(() => heading(page), { timeout: UI_WAIT }).toBe('Run');
      await page.getByRole('button', { name: 'See the results' }).waitFor({ timeout: RUN_WAIT });
      await page.getByRole('button', { name: 'See the results' }).click();

      // Results: the measurement beside the estimate, each named for what it is.
      const headline = await page.locator('.headline').innerText();
      expect(headline).toMatch(/× (faster|\(slower\))\s*measured.*\(estimate for ONNX Runtime: \d+\.\d\d×\)/s);
      expect(await page.getByText(/Estimated by the ONNX Runtime cost model measured on this machine: about \d+\.\d\d×/).count()).toBe(1);
      const firstAccuracy = await resultsAccuracy(page);
      expect(await page.getByText(`Exported: ${join(exportFolder, 'model.json')}`, { exact: false }).count()).toBe(1);
      await screenshot(page, 'journey-5-results');
      const firstExport = hashOf(exportFolder);

      // The exported model, loaded back with tfjs on the test images, scores what Results said.
      const scored = await scoreExport(exportFolder);
      expect(scored.preset).toBe('unit');
      expect(scored.accuracy).toBeCloseTo(firstAccuracy, 3);

      // A second session: its own name and export folder, with one epoch of fine-tuning for the charts.
      await page.getByRole('button', { name: 'New session' }).click();
      await page.getByRole('button', { name: 'Next: choose a model' }).click();
      await next.click();
      await page.getByRole('button', { name: 'Next: Target' }).click();
      await page.getByRole('slider', { name: /Remove \d+% of the FLOPs/ }).fill('0.6');
      await page.getByRole('button', { name: 'Next: Schedule' }).click();
      await page.getByRole('button', { name: 'Next: Training' }).click();
      expect(await page.getByLabel('Baseline training epochs').inputValue()).toBe('0');
      await page.getByLabel('Fine-tuning epochs', { exact: true }).fill('1');
      await page.getByRole('button', { name: 'Next: Review' }).click();
      expect(await page.getByLabel('Export the pruned model to a folder (optional)').inputValue()).toBe(`${exportFolder}-2`);
      expect(await page.getByLabel('Session name').inputValue()).toBe('');
      await page.getByRole('button', { name: 'Start pruning' }).click();
      await expect.poll(() => heading(page), { timeout: UI_WAIT }).toBe('Run');
      await page.getByRole('button', { name: 'See the results' }).waitFor({ timeout: RUN_WAIT });
      // The charts count epochs; hovering one reads its values.
      const loss = page.getByRole('img', { name: /^Loss: / });
      expect(await loss.getAttribute('aria-label')).toMatch(/x axis: Epoch \(all training stages\)/);
      const box = (await loss.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
      expect(await page.locator('.readout').first().innerText()).toMatch(/^epoch \d\.\d\d, step \d+: \d+\.\d\d$/);
      await screenshot(page, 'journey-4-run');
      await page.getByRole('button', { name: 'See the results' }).click();
      const secondAccuracy = await resultsAccuracy(page);
      expect((await scoreExport(`${exportFolder}-2`)).accuracy).toBeCloseTo(secondAccuracy, 3);
      // The first session's export is untouched.
      expect(hashOf(exportFolder)).toBe(firstExport);

      // Both sessions in the project, each with its own name.
      await page.getByRole('button', { name: 'Open the project' }).click();
      const sessions = page.getByRole('table', { name: 'Sessions of the project' });
      await sessions.waitFor({ timeout: UI_WAIT });
      const names = await sessions.locator('tbody th[scope=row]').allInnerTexts();
      expect(names).toHaveLength(2);
      expect(new Set(names).size).toBe(2);
      expect(problems).toEqual([]);
    },
  );
});
