import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess } from './serve-process.js';
import { startServeAndChromium } from '../../../browser/serve-and-chromium.js';
import { RUN_WAIT, UI_WAIT } from '../../../browser/waits.js';

// The browser host end to end: Debian's Chromium opens the link `pruneflow serve` prints, the
// unchanged renderer finds the engine over the WebSocket and runs a tiny demo (0 training epochs).
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  [serve, browser] = await startServeAndChromium();
});

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

describe('pruneflow serve in Chromium', () => {
  it('shows the engine, runs a tiny demo end to end and shows the result table', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(serve.url.href);
    // COOP and COEP (request-checks.ts): the page is cross-origin isolated, and still loads everything it needs.
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    const engine = page.locator('section', { has: page.getByRole('heading', { name: 'Engine' }) });
    await expect.poll(() => engine.textContent(), { timeout: UI_WAIT }).toContain('(browser)');
    expect(await engine.textContent()).toContain('WebAssembly');

    await page.getByLabel('Training epochs').fill('0');
    await page.getByLabel('Fine-tuning epochs').fill('0');
    expect(await page.getByText('Takes an untrained small CNN').count()).toBe(1);
    await page.getByRole('button', { name: 'Run demo' }).click();
    // The run has its own screen; the result table is on the Results screen once the run is done.
    await page.getByRole('button', { name: 'See the results' }).click({ timeout: RUN_WAIT });
    const table = page.getByRole('region', { name: 'Result', exact: true }).getByRole('table');
    await table.waitFor();
    const rows = await table.getByRole('row').allTextContents();
    expect(rows.find((row) => row.startsWith('FLOPs'))).toMatch(/−5\d\.\d%/);
    expect(rows.find((row) => row.startsWith('Parameters'))).toMatch(/−\d+\.\d%/);
    // No CSP refusal, no failed request, no uncaught error on the way.
    expect(problems).toEqual([]);
  });

  it("refuses the engine's socket to a page from another origin that knows the token", async () => {
    const other: Server = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      // Page code as a string: this file is type-checked for Node, without the DOM's WebSocket.
      const socketUrl = `ws://${serve.url.host}/engine?token=${serve.token}`;
      const outcome = await page.evaluate(`new Promise((resolve) => {
        const socket = new WebSocket(${JSON.stringify(socketUrl)});
        socket.onopen = () => resolve('open');
        socket.onclose = (event) => resolve('closed ' + event.code);
      })`);
      expect(outcome).toBe('closed 1006');
    } finally {
      other.close();
    }
  });

  // Last: it stops the server.
  it('stops cleanly on Ctrl-C in the middle of training, and the page says the engine is gone', async () => {
    const page = await browser.newPage();
    await page.goto(serve.url.href);
    await page.getByLabel('Training epochs').fill('1');
    await page.getByRole('button', { name: 'Run demo' }).click();
    await page.getByRole('progressbar', { name: 'Training progress' }).waitFor({ timeout: UI_WAIT });
    expect(await serve.interrupt()).toEqual({ code: 0, signal: null });
    const notice = page.getByRole('alert');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('EngineDisconnectedError');
    expect(await notice.textContent()).toContain('The demo failed');
  });
});
