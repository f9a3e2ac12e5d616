import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from './serve-and-chromium.js';
import { UI_WAIT } from './waits.js';

// The Engine panel names the GPUs the window can reach. Headless Chromium here draws WebGL with SwiftShader
// (software) and offers no WebGPU adapter: the panel must say so and must not offer to train there.
describe('the GPU of the window, in the Engine panel', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [serve, browser] = await startServeAndChromium({ gpu: 'software' });
    page = await browser.newPage();
    await page.goto(serve.url.href);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.interrupt();
  });

  it('lists software WebGL as software and offers no GPU run', async () => {
    const gpus = page.getByRole('list', { name: 'GPUs this window can use' });
    await expect.poll(() => gpus.textContent(), { timeout: UI_WAIT }).toMatch(/WebGL: .*SwiftShader.*\(drawn in software, slower than WebAssembly\)/);
    expect(await gpus.textContent()).not.toMatch(/WebGPU:/);
    expect(await page.getByRole('button', { name: 'Run the engine on this GPU' }).count()).toBe(0);
  }, 90_000);
});
