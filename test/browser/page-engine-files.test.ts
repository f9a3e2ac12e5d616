import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_FILES_TOKEN_HEADER } from '../../core/api/host-files-protocol.js';
import { wasmCandidate } from '../../core/backend/portable-candidates.js';
import { buildDemoCnn } from '../../core/models/demo-cnn.js';
import { exportTfjs } from '../../core/models/io/export-tfjs.js';
import { ROOT } from '../build/run.js';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from './serve-and-chromium.js';
import { UI_WAIT } from './waits.js';
import { loadProjectFile } from '../../core/node/project-file.js';
import { callInWorker, runInWorker } from './page-session.js';

// The engine in a worker of the served page reads the user's files through `pruneflow serve` (GET
// /host-files/..., token in a header): real CIFAR-10 binary records, real Fashion-MNIST IDX files and a
// tfjs model.json with its weights, all in a folder on disk, as a user would have them.
// The CIFAR-10 records are the repository's excerpt of real CIFAR-10 (test/fixtures/cifar, see its PROVENANCE.txt).
const CIFAR_EXCERPT = join(ROOT, 'test/fixtures/cifar/cifar-10-batches-bin');

describe('user files for the engine in the page (served)', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const home = mkdtempSync(join(tmpdir(), 'pruneflow-page-files-'));
  const cifar = join(home, 'cifar-10-batches-bin');
  const idx = join(home, 'fashion');
  const modelJson = join(home, 'my model', 'cifar-cnn.json');

  beforeAll(async () => {
    mkdirSync(cifar);
    for (const name of ['data_batch_1.bin', 'test_batch.bin']) copyFileSync(join(CIFAR_EXCERPT, name), join(cifar, name));
    mkdirSync(idx);
    for (const name of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
      copyFileSync(join(ROOT, 'core/assets/fashion-mnist-sample', name), join(idx, name));
    }
    // A user's own model in the tfjs format: model.json (here under another name) and its weights beside it.
    await wasmCandidate.load();
    const model = buildDemoCnn({ inputShape: [32, 32, 3], numClasses: 10, seed: 5 });
    mkdirSync(join(home, 'my model'));
    for (const file of await exportTfjs(model)) writeFileSync(file.name === 'model.json' ? modelJson : join(home, 'my model', file.name), file.bytes);
    model.dispose();
    [serve, browser] = await startServeAndChromium({ gpu: 'software' });
    page = await browser.newPage();
    await page.goto(serve.url.href);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.interrupt();
  });

  it('inspects a CIFAR-10 binary folder and IDX files from disk', async () => {
    const query = `backend=wasm&token=${serve.token}`;
    expect(await callInWorker(page, query, 'getInfo')).toMatchObject({ ok: true, value: { host: 'page', files: true } });
    const binary = await callInWorker(page, query, 'inspectDataset', cifar);
    expect(binary).toMatchObject({ ok: true, value: { format: expect.stringMatching(/CIFAR-10/), height: 32, width: 32, channels: 3 } });
    const counts = (binary.value as { splits: { name: string; count: number }[] }).splits.map((s) => s.count);
    expect(counts).toEqual([200, 100]);
    const fashion = await callInWorker(page, query, 'inspectDataset', idx);
    expect(fashion).toMatchObject({ ok: true, value: { format: expect.stringMatching(/IDX/), height: 28, width: 28, channels: 1 } });
    // A path that is not there is the same named error as on the Node host.
    expect(await callInWorker(page, query, 'inspectDataset', join(home, 'nothing'))).toMatchObject({ ok: false, error: { name: 'DatasetNotFoundError' } });
  }, 120_000);

  const session = () => ({
    model: modelJson,
    data: cifar,
    trainEpochs: 1,
    fineTuneEpochs: 0,
    batchSize: 32,
    calibrationBatches: 1,
    sample: { train: 64, test: 20 },
    seed: 3,
  });
  // WebGL against wasm on the same engine is page-engine.test.ts's: where the files come from does not depend on the backend.
  it('prunes the user model.json on the user CIFAR-10 files, in the page on wasm', async () => {
    // Trains in serve's cross-origin isolated page, tfjs wasm on its one-thread build (bundled-tfjs-wasm.ts).
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    const onWasm = await runInWorker(page, 'wasm', session(), 1, serve.token);
    expect(onWasm.active).toBe('wasm');
    expect(onWasm.details.join('\n')).toMatch(/wasm: SIMD on, threads off/);
    expect(onWasm.losses.length).toBe(2);
    expect(onWasm.result.pruned.flops).toBeLessThan(onWasm.result.baseline.flops);
    expect(onWasm.result.baseline.layerWidths.length).toBeGreaterThan(0);
  }, 300_000);

  it('saves the session into a project file on disk and exports its model, through serve', async () => {
    // The folder does not exist yet: the host makes it, and writes every file atomically.
    const projectPath = join(home, 'projects', 'in the page.pruneflow');
    const run = await runInWorker(page, 'wasm', { ...session(), project: projectPath, sessionName: 'pruned in the page' }, 1, serve.token);
    expect(run.active).toBe('wasm');
    const saved = await loadProjectFile(projectPath);
    expect(saved.sessions.map((s) => [s.record.name, s.record.status])).toEqual([['pruned in the page', 'done']]);
    expect(saved.dataset.path).toBe(cifar);
    const out = join(home, 'exported');
    const exported = await callInWorker(page, `backend=wasm&token=${serve.token}`, 'exportSession', projectPath, saved.sessions[0].record.id, 'tfjs', out);
    expect(exported).toMatchObject({ ok: true });
    expect(existsSync(join(out, 'model.json'))).toBe(true);
  }, 300_000);

  it.each(['served', 'desktop'] as const)(
    'opens the user folder from the app Data screen (%s files)',
    async (host) => {
      // Served: the page's address has the token, and the app's worker asks `serve` itself. Desktop: no token;
      // the worker asks the page, which asks `window.pruneflowFiles`. Electron's preload is not here, so a
      // stand-in with its signature carries the request to main's stand-in, the same served endpoint.
      const context = await browser.newContext();
      const app = await context.newPage();
      await app.goto(serve.url.href); // lets the page's files in by cookie, for the address without the token
      if (host === 'desktop') {
        await app.addInitScript(
          ({ token, header }) => {
            const files = async (request: { op: string; path: string }) => {
              const response = await fetch(`/host-files/${request.op}?path=${encodeURIComponent(request.path)}`, { headers: { [header]: token } });
              if (!response.ok) return { ok: false, error: await response.json() };
              return { ok: true, value: request.op === 'read' ? new Uint8Array(await response.arrayBuffer()) : await response.json() };
            };
            Object.assign(globalThis, { pruneflowFiles: files });
          },
          { token: serve.token, header: HOST_FILES_TOKEN_HEADER },
        );
      }
      await app.goto(host === 'served' ? `${serve.url.href}&engine=page&backend=wasm` : `${serve.origin}/?engine=page&backend=wasm`);
      await expect.poll(() => app.getByText('(page)').count(), { timeout: UI_WAIT }).toBeGreaterThan(0);
      await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Data' }).click();
      // Browse… lists the host's folders (the same listing as the Node engine's): folders first, then files with sizes.
      await app.locator('#data-path').fill(home);
      await app.getByRole('button', { name: 'Browse…' }).click();
      const atHome = app.getByRole('list', { name: `Contents of ${home}` });
      await atHome.waitFor({ timeout: UI_WAIT });
      // (Earlier tests may have added their projects and exports here.)
      const names = (await atHome.getByRole('button').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
      expect(names).toEqual(expect.arrayContaining(['cifar-10-batches-bin folder', 'fashion folder', 'my model folder']));
      await atHome.getByRole('button', { name: /fashion/ }).click();
      const inFashion = app.getByRole('list', { name: `Contents of ${idx}` });
      await inFashion.waitFor({ timeout: UI_WAIT });
      expect(await inFashion.getByRole('button').allInnerTexts()).toEqual([
        expect.stringMatching(/t10k-images-idx3-ubyte\.gz\s*[\d.]+ [kKM]i?B/),
        expect.stringMatching(/t10k-labels/),
        expect.stringMatching(/train-images/),
        expect.stringMatching(/train-labels/),
      ]);
      // Up goes to the parent the host named, and back down.
      await app.getByRole('button', { name: 'Up to the parent folder' }).click();
      await atHome.waitFor({ timeout: UI_WAIT });
      await atHome.getByRole('button', { name: /fashion/ }).click();
      await inFashion.waitFor({ timeout: UI_WAIT });
      await app.getByRole('button', { name: 'Use this folder' }).click();
      expect(await app.locator('#data-path').inputValue()).toBe(idx);
      const found = app.getByRole('region', { name: 'What the engine found' });
      await found.waitFor({ timeout: UI_WAIT });
      expect(await found.textContent()).toMatch(/IDX/);
      expect(await found.textContent()).toMatch(/28×28/);
      await context.close();
    },
    120_000,
  );

  it('refuses file requests without the token, from another site, or for files that are not there', async () => {
    const fetchInPage = (path: string, headers: Record<string, string>) =>
      page.evaluate(
        async ({ path, headers }) => {
          const response = await fetch(path, { headers });
          return { status: response.status, body: await response.text() };
        },
        { path, headers },
      );
    const read = `/host-files/read?path=${encodeURIComponent(join(cifar, 'test_batch.bin'))}`;
    const granted = await fetchInPage(read, { [HOST_FILES_TOKEN_HEADER]: serve.token });
    expect(granted.status).toBe(200);
    // The page's own cookie is not enough: the token must be in the header.
    const noToken = await fetchInPage(read, {});
    expect(noToken.status).toBe(403);
    expect(JSON.parse(noToken.body)).toMatchObject({ name: 'HostFileAccessError' });
    const wrongToken = await fetchInPage(read, { [HOST_FILES_TOKEN_HEADER]: 'f'.repeat(64) });
    expect(wrongToken.status).toBe(403);
    const missing = await fetchInPage(`/host-files/read?path=${encodeURIComponent(join(home, 'absent.bin'))}`, { [HOST_FILES_TOKEN_HEADER]: serve.token });
    expect([missing.status, JSON.parse(missing.body).name]).toEqual([404, 'DatasetNotFoundError']);
    // The file browser's folder listing: the same token rule, the Node engine's named error for a missing folder.
    const folder = `/host-files/folder?path=${encodeURIComponent(home)}`;
    expect((await fetchInPage(folder, {})).status).toBe(403);
    const listed = await fetchInPage(folder, { [HOST_FILES_TOKEN_HEADER]: serve.token });
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.body)).toMatchObject({ path: home, entries: expect.arrayContaining([{ name: 'fashion', kind: 'folder' }]) });
    const noFolder = await fetchInPage(`/host-files/folder?path=${encodeURIComponent(join(home, 'absent'))}`, { [HOST_FILES_TOKEN_HEADER]: serve.token });
    expect([noFolder.status, JSON.parse(noFolder.body).name]).toEqual([404, 'FolderNotFoundError']);
    // The engine in the worker answers listFolder with the host's listing, and its errors keep their names.
    const query = `backend=wasm&token=${serve.token}`;
    expect(await callInWorker(page, query, 'listFolder', idx)).toMatchObject({
      ok: true,
      value: {
        path: idx,
        parent: home,
        entries: expect.arrayContaining([{ name: 'train-labels-idx1-ubyte.gz', kind: 'file', size: expect.any(Number) }]),
        truncated: 0,
      },
    });
    expect(await callInWorker(page, query, 'listFolder', join(home, 'absent'))).toMatchObject({ ok: false, error: { name: 'FolderNotFoundError' } });
    const noPath = await fetchInPage('/host-files/read?path=', { [HOST_FILES_TOKEN_HEADER]: serve.token });
    expect([noPath.status, JSON.parse(noPath.body).name]).toEqual([400, 'HostFileRequestError']);
    const badOp = await fetchInPage(`/host-files/delete?path=${encodeURIComponent(cifar)}`, { [HOST_FILES_TOKEN_HEADER]: serve.token });
    expect([badOp.status, JSON.parse(badOp.body).name]).toEqual([400, 'HostFileRequestError']);
    // Writing is a POST with the token, like reading; a GET cannot write and a write without the token writes nothing.
    const target = join(home, 'written.bin');
    const post = (path: string, headers: Record<string, string>, method = 'POST') =>
      page.evaluate(
        async ({ path, headers, method }) => {
          const response = await fetch(path, { method, headers, ...(method === 'POST' && { body: new Uint8Array([1, 2, 3]) }) });
          return { status: response.status, body: await response.text() };
        },
        { path, headers, method },
      );
    const write = `/host-files/write?path=${encodeURIComponent(target)}`;
    expect((await post(write, {})).status).toBe(403);
    expect((await post(write, { [HOST_FILES_TOKEN_HEADER]: serve.token }, 'GET')).status).toBe(403);
    expect(existsSync(target)).toBe(false);
    expect((await post(write, { [HOST_FILES_TOKEN_HEADER]: serve.token })).status).toBe(200);
    expect(existsSync(target)).toBe(true);
    const readAsPost = await post(read, { [HOST_FILES_TOKEN_HEADER]: serve.token });
    expect([readAsPost.status, JSON.parse(readAsPost.body).name]).toEqual([403, 'HostFileAccessError']);
    // Another site's page, even with the token (a leaked link), is turned away by the browser's own marking.
    const crossSite = await fetch(`${serve.origin}${read}`, {
      headers: { [HOST_FILES_TOKEN_HEADER]: serve.token, 'Sec-Fetch-Site': 'cross-site', Origin: 'http://evil.example' },
    });
    expect([crossSite.status, ((await crossSite.json()) as { name: string }).name]).toEqual([403, 'HostFileAccessError']);
  }, 60_000);
});
