import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowData } from '../../core/api/contract.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { readAsset } from '../../core/node/assets.js';
import { zooEntry } from '../../core/models/zoo.js';
import { importanceFlow } from '../../core/session/importance-flow.js';
import { screenshot } from './browser-page.js';
import { buildHarness } from './build-harness.js';
import { serveFolder } from './serve-folder.js';

// The importance-flow diagram of ResNet-110 in Debian's Chromium: the engine makes the data (CIP on weights
// alone, three prune steps), the harness page renders the real component and times data -> painted SVG.
// What the harness page leaves on its window (see renderer/harness/importance-flow.ts).
declare global {
  var flowHarness: { renderMs: number[]; parseMs: number } | { error: string } | undefined;
}

let folder: string;
let server: Awaited<ReturnType<typeof serveFolder>>;
let browser: Browser;
let flow: FlowData;
let writerLayers: number;
const problems: string[] = [];

beforeAll(async () => {
  folder = await buildHarness('importance-flow');
  await wasmCandidate.load();
  flow = await importanceFlow({ model: 'resnet110', steps: 3 }, { readAsset });
  const model = zooEntry('resnet110').build({ inputShape: [32, 32, 3], numClasses: 10 });
  writerLayers = model.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName())).length;
  model.dispose();
  await writeFile(join(folder, 'harness/flow.json'), JSON.stringify(flow));
  server = await serveFolder(folder);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function openPage(colorScheme: 'light' | 'dark', runs = 1): Promise<{ page: Page; timing: { renderMs: number[]; parseMs: number } }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme });
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.url}harness/importance-flow.html?runs=${runs}`);
  await page.waitForFunction(() => globalThis.flowHarness !== undefined, undefined, { timeout: 60_000 });
  const result = (await page.evaluate(() => globalThis.flowHarness))!;
  if ('error' in result) throw new Error(`the harness failed: ${result.error}`);
  return { page, timing: result };
}

const prunedNodes = (page: Page) => page.$$eval('[data-node]', (nodes) => nodes.filter((n) => n.classList.contains('pruned')).length);

describe('importance flow of ResNet-110 in Chromium', () => {
  it('renders every writer layer as a column of importance bands, pruned bands greyed', async () => {
    // Five renders: the first is what a person waits for; the median says how steady that is on this machine.
    const { page, timing } = await openPage('light', 5);
    const sorted = [...timing.renderMs].sort((a, b) => a - b);
    console.log(
      `ResNet-110 importance flow, ${flow.nodes.length} nodes and ${flow.links.length} links: data -> painted SVG ` +
        `first ${timing.renderMs[0].toFixed(0)} ms, median of ${sorted.length} ${sorted[2].toFixed(0)} ms ` +
        `(all: ${timing.renderMs.map((ms) => ms.toFixed(0)).join(', ')}; JSON parse ${timing.parseMs.toFixed(0)} ms)`,
    );

    const columns = await page.$$eval('[data-node]', (nodes) => new Set(nodes.map((n) => n.getAttribute('data-column'))).size);
    expect(columns).toBe(writerLayers);
    expect(flow.columns).toHaveLength(writerLayers);
    // Bands: every column shows at most 8 nodes, each labelled as a band of several channels.
    const labels = await page.$$eval('[data-node]', (nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''));
    expect(labels).toHaveLength(flow.nodes.length);
    expect(flow.nodes.length).toBeLessThanOrEqual(writerLayers * flow.detail.bandsPerColumn);
    expect(labels.filter((l) => / band \d+ of \d+ \((\d+ channels|channel \d+)\)/.test(l)).length).toBe(labels.length);
    expect(labels.filter((l) => / band \d+ of \d+ \(\d+ channels\)/.test(l)).length).toBeGreaterThan(labels.length * 0.9);
    // Thousands of links, drawn as a few dozen paths (one per kind, state and width).
    expect(await page.$eval('.links', (g) => Number(g.getAttribute('data-links')))).toBe(flow.links.length);
    expect(await page.$$eval('.links path', (paths) => paths.length)).toBeLessThan(100);
    expect(await page.$$eval('.streams .bracket', (paths) => paths.length)).toBe(3);

    // The slider starts at the last step: fully pruned bands are grey, kept ones coloured.
    const expectedPruned = flow.nodes.filter((n) => n.pruned === 1).length;
    expect(expectedPruned).toBeGreaterThan(0);
    expect(await prunedNodes(page)).toBe(expectedPruned);
    const fills = await page.$$eval('[data-node] rect:first-child', (rects) => rects.map((r) => r.ownerDocument.defaultView!.getComputedStyle(r).fill));
    const grey = await page.$eval('[data-node].pruned rect', (r) => r.ownerDocument.defaultView!.getComputedStyle(r).fill);
    expect(fills.filter((f) => f === grey).length).toBe(expectedPruned);
    expect(new Set(fills).size).toBeGreaterThan(20);

    // Every column is named in the header above the diagram, and a strip shows the whole network.
    const header = page.getByRole('group', { name: 'Layer names, input to output' });
    expect(await header.getByRole('button').count()).toBe(writerLayers);
    await page.getByRole('slider', { name: `Overview of all ${writerLayers} layers: the part shown` }).waitFor();
    // Zoomed in, the names keep their size and stay apart: fewer of them, each readable.
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    const zoomed = await header
      .getByRole('button')
      .evaluateAll((buttons) => buttons.map((b) => ({ x: b.getBoundingClientRect().left, size: b.ownerDocument.defaultView!.getComputedStyle(b).fontSize })));
    expect(zoomed.length).toBeLessThan(writerLayers);
    expect(zoomed.length).toBeGreaterThan(3);
    expect(new Set(zoomed.map((z) => z.size))).toEqual(new Set(['10.5px']));
    const xs = zoomed.map((z) => z.x).sort((a, b) => a - b);
    xs.slice(1).forEach((x, i) => expect(x - xs[i]).toBeGreaterThan(10));
    await page.getByRole('button', { name: 'Fit' }).click();
    // Search by name opens the layer in the side panel.
    await page.getByRole('searchbox', { name: 'Find a layer by name' }).fill('stage3_block9_a');
    await page.getByRole('searchbox', { name: 'Find a layer by name' }).press('Enter');
    await page.getByRole('region', { name: 'Layer stage3_block9_a_conv' }).waitFor();

    // Hover a partly pruned band of the deepest stage for the screenshot's tooltip.
    const bands = flow.nodes.filter((n) => flow.columns[n.column].layer === 'stage3_block9_a_conv');
    const target = bands.find((n) => n.pruned > 0 && n.pruned < 1) ?? bands[4];
    await page.hover(`[data-node="${target.id}"]`);
    await expect.poll(() => page.textContent('.tooltip')).toContain('stage3_block9_a_conv');
    await screenshot(page, 'importance-flow');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('walks the diagram and the schedule with the keyboard', async () => {
    const { page } = await openPage('dark');
    await page.focus('[data-node][tabindex="0"]');
    const focused = () => page.$eval(':focus', (e) => e.getAttribute('data-node'));
    const first = Number(await focused());
    expect(flow.nodes[first].column).toBe(0);
    await page.keyboard.press('ArrowRight');
    expect(flow.nodes[Number(await focused())].column).toBe(1);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    expect(flow.nodes[Number(await focused())].column).toBe(flow.columns.length - 1);
    await expect.poll(() => page.textContent('.tooltip')).toContain('fc');
    // Only one node is in the tab order at a time (roving tabindex).
    expect(await page.$$eval('[data-node][tabindex="0"]', (n) => n.length)).toBe(1);

    // The step slider: Home shows the unpruned model, End the last step.
    await page.focus('input[type="range"]');
    await page.keyboard.press('Home');
    await expect.poll(() => prunedNodes(page)).toBe(0);
    expect(await page.textContent('output')).toContain('unpruned');
    await page.keyboard.press('ArrowRight');
    expect(await page.textContent('output')).toContain('step 1 of 3');
    await page.keyboard.press('End');
    await expect.poll(() => prunedNodes(page)).toBe(flow.nodes.filter((n) => n.pruned === 1).length);
    // How long one step of the slider takes to repaint (reported, not asserted). A string: this file has no DOM types.
    const stepMs = (await page.evaluate(`(async () => {
      const input = document.querySelector('input[type="range"]');
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      const times = [];
      for (const value of ['0', '3', '1', '3']) {
        const started = performance.now();
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await frame();
        await frame();
        times.push(performance.now() - started);
      }
      return times;
    })()`)) as number[];
    console.log(`ResNet-110 importance flow: one slider step repaints in ${stepMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    await screenshot(page, 'importance-flow-dark');
    expect(problems).toEqual([]);
    await page.close();
  });
});
