import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { SECURITY_HEADERS } from '../../core/node/serve/request-checks.js';
import { serveFolder } from '../renderer/serve-folder.js';
import type { ForwardCall, ForwardReply } from './forward-harness.js';

interface EngineFiles {
  ORT_CONDITIONS: string[];
  copyEngineFiles(outDir: string): void;
}

/**
 * Builds test/browser/forward-harness.ts as the engine worker is built (one module, onnxruntime-web's extern-wasm
 * entry, the wasm files in wasm/ and ort/: build/engine-files.mjs) into a fresh temporary folder, with an empty page.
 * `root`: the repository (the bench runs compiled from dist/, the tests from the sources).
 */
export async function buildForwardHarness(root: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'pruneflow-forward-harness-'));
  const files = (await import(pathToFileURL(join(root, 'build/engine-files.mjs')).href)) as EngineFiles;
  await build({
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    resolve: { conditions: [...files.ORT_CONDITIONS, ...defaultClientConditions] },
    build: {
      outDir: folder,
      emptyOutDir: false,
      target: 'chrome140',
      sourcemap: false,
      lib: { entry: join(root, 'test/browser/forward-harness.ts'), formats: ['es'], fileName: () => 'forward-harness.js' },
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
  files.copyEngineFiles(folder);
  writeFileSync(join(folder, 'index.html'), '<!doctype html><title>forward harness</title>');
  return folder;
}

export interface ForwardHarness {
  /** One call in a fresh harness worker of the page. */
  call(call: ForwardCall): Promise<ForwardReply>;
  /** The harness's page (its crossOriginIsolated, its hardwareConcurrency). */
  page: Page;
  close(): Promise<void>;
}

/**
 * The built harness served to `browser`. Without `headers` the page and worker come with none (not cross-origin
 * isolated: one thread); SECURITY_HEADERS are `pruneflow serve`'s (its CSP, and COOP and COEP: cross-origin isolated).
 */
export async function serveForwardHarness(folder: string, browser: Browser, headers: Readonly<Record<string, string>> = {}): Promise<ForwardHarness> {
  const served = await serveFolder(folder, headers);
  try {
    const page = await browser.newPage();
    await page.goto(`${served.url}index.html`);
    return {
      call: (call) => callHarness(page, call),
      page,
      close: async () => {
        await page.close();
        await served.close();
      },
    };
  } catch (error) {
    await served.close();
    throw error;
  }
}

export { SECURITY_HEADERS };

function callHarness(page: Page, call: ForwardCall): Promise<ForwardReply> {
  // Typed arrays cross as plain arrays.
  const wire = call.kind === 'pad-maxpool' ? { ...call, onnx: Array.from(call.onnx) } : call;
  return page.evaluate(async (message) => {
    type PageWorker = {
      onmessage: (event: { data: unknown }) => void;
      onerror: (event: { message: string }) => void;
      postMessage(m: unknown): void;
      terminate(): void;
    };
    const { Worker } = globalThis as unknown as { Worker: new (url: string, options: { type: 'module' }) => PageWorker };
    const worker = new Worker('forward-harness.js', { type: 'module' });
    try {
      return await new Promise<never>((resolve) => {
        worker.onmessage = ({ data }) => resolve(data as never);
        worker.onerror = (event) => resolve({ ok: false, error: `worker error: ${event.message}` } as never);
        worker.postMessage('onnx' in message ? { ...message, onnx: Uint8Array.from(message.onnx as number[]) } : message);
      });
    } finally {
      worker.terminate();
    }
  }, wire);
}
