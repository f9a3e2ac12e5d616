import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../build/run.js';
import { decodeOnnx } from '../../core/models/io/onnx/onnx-proto.js';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from '../browser/serve-and-chromium.js';
import { UI_WAIT } from '../browser/waits.js';
import { openPage } from './browser-page.js';

// A project with two tiny sessions made by the command line (untrained demo CNN, a sample of the data:
// seconds each), then opened, compared and reported on in Chromium through `pruneflow serve`.
const run = promisify(execFile);
const CLI = join(ROOT, 'dist/core/node/cli.js');
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-project-ui-'));
const projectFile = join(folder, 'two-criteria.pruneflow');
const tiny = ['prune', '--demo', '--epochs', '0', '--fine-tune-epochs', '0', '--sample', '500,200', '--project', projectFile];

let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  // The second session borrows the first one's baseline, so they run one after the other.
  const made = (async () => {
    await run(process.execPath, [CLI, ...tiny]);
    await run(process.execPath, [CLI, ...tiny, '--criterion', 'l2']);
  })();
  [serve, browser] = await startServeAndChromium({}, made);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

describe('a project in Chromium', () => {
  it('opens a project file, compares its two sessions, exports a pruned model, browses to it on the Model screen and writes an HTML report', async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    const heading = page.getByRole('heading', { level: 1 });
    await page.getByRole('button', { name: 'Open a project…' }).click();
    expect(await heading.textContent()).toBe('Project');

    // The file browser lists folders and project files only, and chooses the file.
    await page.getByRole('textbox', { name: 'Project file' }).fill(join(folder, 'nothing.pruneflow'));
    await page.getByRole('button', { name: 'Browse…' }).click();
    const files = page.getByRole('list', { name: `Contents of ${folder}` });
    await files.waitFor({ timeout: UI_WAIT });
    expect(await files.getByRole('button').allInnerTexts()).toEqual([expect.stringContaining('two-criteria.pruneflow')]);
    await files.getByRole('button', { name: /two-criteria\.pruneflow/ }).click();

    const sessions = page.getByRole('table', { name: 'Sessions of the project' });
    await sessions.waitFor({ timeout: UI_WAIT });
    const rows = await sessions.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/L1 norm[\s\S]*done/);
    expect(rows[1]).toMatch(/L2 norm[\s\S]*done/);
    expect(await page.getByRole('definition').filter({ hasText: 'demo-cnn' }).textContent()).toMatch(/demo-cnn\s*·\s*12\.5%/);
    // Both finished sessions are picked to start with.
    expect(
      await page.getByRole('checkbox', { name: /^Pick / }).evaluateAll((boxes) => boxes.map((b) => (b as unknown as { checked: boolean }).checked)),
    ).toEqual([true, true]);

    // Ctrl+E (File > Export in the browser) focuses the export form's session, the first one picked.
    await page.getByRole('checkbox', { name: /^Pick L1 norm/ }).uncheck();
    await page.keyboard.press('Control+E');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('export-session');
    expect(await page.locator('#export-session').inputValue()).toBe('s2');
    await page.getByRole('checkbox', { name: /^Pick L1 norm/ }).check();
    // A report of both sessions, written where the page says.
    const report = join(folder, 'both.html');
    await page.getByLabel('To the file').fill(report);
    await page.getByRole('button', { name: 'Write the report' }).click();
    await expect.poll(() => page.getByText(/^✓ Wrote the report to/).textContent(), { timeout: UI_WAIT }).toContain(report);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toMatch(/<html[\s\S]*s2/);
    // A bad export folder says what went wrong instead of failing silently.
    await page.getByLabel('Into the folder').fill(`${report}/inside-a-file`);
    await page.getByRole('button', { name: 'Export the model' }).click();
    await page.getByRole('alert').filter({ hasText: 'The model was not exported' }).waitFor({ timeout: UI_WAIT });
    // The l2 session's pruned model as TensorFlow.js files.
    const out = join(folder, 'l2-model');
    await page.getByRole('form', { name: 'Export a pruned model' }).getByRole('combobox').first().selectOption('s2');
    await page.getByLabel('Into the folder').fill(out);
    await page.getByRole('button', { name: 'Export the model' }).click();
    await expect.poll(() => page.getByText(/^✓ Wrote \d+ files?:/).textContent(), { timeout: UI_WAIT }).toContain('model.json');
    expect(existsSync(join(out, 'model.json'))).toBe(true);
    expect(await page.getByRole('alert').filter({ hasText: 'The model was not exported' }).count()).toBe(0);
    // The same session as ONNX with its batch norms folded: the checkbox is offered for ONNX only.
    const exportForm = page.getByRole('form', { name: 'Export a pruned model' });
    const fold = exportForm.getByRole('checkbox', { name: /Fold batch norms into the layers before them/ });
    expect(await fold.count()).toBe(0);
    await exportForm.getByLabel('Format').selectOption('onnx');
    await fold.check();
    const onnxOut = join(folder, 'l2-onnx');
    await page.getByLabel('Into the folder').fill(onnxOut);
    await page.getByRole('button', { name: 'Export the model' }).click();
    await expect.poll(() => page.getByText(/^✓ Wrote \d+ files?:/).textContent(), { timeout: UI_WAIT }).toContain('model.onnx');
    const ops = decodeOnnx(readFileSync(join(onnxOut, 'model.onnx')), 'model.onnx').graph!.node!.map((n) => n.op_type);
    expect(ops).toContain('Conv');
    expect(ops).not.toContain('BatchNormalization');

    // The Model screen browses for model files (the weights shard is not listed) and opens the exported one.
    const nav = page.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('button', { name: 'Model' }).click();
    await page.getByRole('textbox', { name: 'Or a trained model file' }).fill(out);
    await page.getByRole('button', { name: 'Browse…' }).click();
    const modelFiles = page.getByRole('list', { name: `Contents of ${out}` });
    await modelFiles.waitFor({ timeout: UI_WAIT });
    expect(await modelFiles.getByRole('button').allInnerTexts()).toEqual([expect.stringContaining('model.json')]);
    // The folder itself is a model the engine opens (it holds model.json).
    await page.getByRole('dialog', { name: 'Choose a file or folder' }).getByRole('button', { name: 'Use this folder' }).click();
    await page.getByRole('region', { name: /^Pre-flight report/ }).waitFor({ timeout: UI_WAIT });
    expect(await page.getByRole('textbox', { name: 'Or a trained model file' }).inputValue()).toBe(out);
    await page.getByRole('button', { name: 'Browse…' }).click();
    await modelFiles.waitFor({ timeout: UI_WAIT });
    await modelFiles.getByRole('button', { name: /model\.json/ }).click();
    await page.getByRole('region', { name: /^Pre-flight report/ }).waitFor({ timeout: UI_WAIT });
    expect(await page.getByRole('textbox', { name: 'Or a trained model file' }).inputValue()).toBe(join(out, 'model.json'));
    await nav.getByRole('button', { name: 'Project' }).click();

    await page.getByRole('button', { name: 'Compare 2 sessions' }).click();
    expect(await heading.textContent()).toBe('Compare sessions');
    const table = page.getByRole('table', { name: 'Compared sessions' });
    await table.waitFor({ timeout: UI_WAIT });
    expect(await table.locator('tbody tr').count()).toBe(2);
    const chart = page.getByRole('group', { name: /^Accuracy against FLOPs/ });
    expect(await chart.locator('.point.session').count()).toBe(2);
    expect(await chart.locator('.point.baseline').count()).toBe(1);
    expect(await chart.locator('.point.pareto').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByRole('table', { name: 'Kept channels per layer and session' }).locator('tbody tr').count()).toBeGreaterThan(2);
    // Keyboard: a point takes the focus (it is a button), and Enter marks its row in the table.
    const first = chart.getByRole('button').filter({ hasText: 's1' });
    await first.focus();
    await page.keyboard.press('Enter');
    expect(await table.locator('tbody tr.lit').innerText()).toContain('s1');
    expect(problems).toEqual([]);
  });
});
