import { rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassScore, PruneResult } from '../../core/api/contract.js';
import { launchChromium } from '../browser/chromium.js';
import { buildHarness } from './build-harness.js';
import { serveFolder } from './serve-folder.js';

// The Results screen's accuracy-per-class table in Chromium (the real component on a harness page): classes
// are joined by index, as in the reports and the CLI, so two classes of the same name stay two rows.
// What the harness page puts on its window (see renderer/harness/class-accuracy.ts).
declare global {
  var showClassAccuracy: ((result: Pick<PruneResult, 'baseline' | 'pruned'>) => void) | undefined;
}

let folder: string;
let server: Awaited<ReturnType<typeof serveFolder>>;
let browser: Browser;

beforeAll(async () => {
  folder = await buildHarness('class-accuracy');
  server = await serveFolder(folder);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const scores = (correct: number[], names: string[]): ClassScore[] =>
  names.map((name, c) => ({ name, images: correct[c]! < 0 ? 0 : 10, correct: Math.max(0, correct[c]!) }));
/** The parts of a result the table reads; the last class has no test images. */
const side = (perClass: ClassScore[]) => ({ perClass }) as PruneResult['baseline'];

describe('accuracy per class in Chromium', () => {
  it('keeps two classes of the same name apart, each with its own pruned accuracy', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${server.url}harness/class-accuracy.html`);
    await page.waitForFunction(() => globalThis.showClassAccuracy !== undefined);
    const names = ['shirt', 'shirt', 'bag'];
    const result = { baseline: side(scores([9, 5, -1], names)), pruned: side(scores([8, 2, -1], names)) };
    await page.evaluate((r) => globalThis.showClassAccuracy!(r), result);
    const rows = await page
      .locator('table.classes tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(0, 5).map((cell) => cell.textContent!.trim())));
    expect(rows).toEqual([
      ['shirt', '10', '90.0%', '80.0%', '−10.0 pp'],
      ['shirt', '10', '50.0%', '20.0%', '−30.0 pp'],
      ['bag', '0', '–', '–', '–'],
    ]);
    expect(problems).toEqual([]);
  });
});
