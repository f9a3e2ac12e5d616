import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, appProtocolHandler, isAppUrl } from '../../electron/app-protocol.js';

let root: string;
let renderer: string;
let handle: (request: Request) => Promise<Response>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pruneflow-protocol-'));
  renderer = join(root, 'renderer');
  mkdirSync(join(renderer, 'engine'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Pruneflow</title>');
  writeFileSync(join(renderer, 'engine', 'engine-worker.js'), 'export {};');
  writeFileSync(join(renderer, 'engine', 'tfjs-backend-wasm-simd.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  // A secret next to the renderer folder: never reachable.
  writeFileSync(join(root, 'secret.txt'), 'not for the page');
  handle = appProtocolHandler(renderer);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const get = (url: string) => handle(new Request(url));

describe('the app:// protocol', () => {
  it.each([
    { url: APP_INDEX_URL, type: 'text/html; charset=utf-8' },
    { url: 'app://pruneflow/', type: 'text/html; charset=utf-8' },
    { url: 'app://pruneflow/engine/engine-worker.js', type: 'text/javascript; charset=utf-8' },
    // WebAssembly.instantiateStreaming refuses a wasm file served with any other type.
    { url: 'app://pruneflow/engine/tfjs-backend-wasm-simd.wasm', type: 'application/wasm' },
  ])('serves $url as $type, cross-origin isolated', async ({ url, type }) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe(type);
    // The page and the engine's workers: COOP and COEP make it cross-origin isolated (threads for ONNX Runtime Web).
    expect(response.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(response.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it.each([
    'app://pruneflow/../secret.txt',
    'app://pruneflow/%2e%2e/secret.txt',
    'app://pruneflow/engine/..%2f..%2fsecret.txt',
    'app://pruneflow/..%5csecret.txt',
    'app://pruneflow/missing.js',
    'app://pruneflow/engine',
    'app://pruneflow/index.html%00.js',
    'app://other/index.html',
    'app://pruneflow/%E0%A4%A',
  ])('answers %s with 404 and reads nothing outside the renderer', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('not for the page');
  });

  it('names its own pages', () => {
    expect(isAppUrl(APP_INDEX_URL)).toBe(true);
    expect(isAppUrl('app://pruneflow.evil/index.html')).toBe(false);
    expect(isAppUrl('file:///opt/pruneflow/index.html')).toBe(false);
  });
});
