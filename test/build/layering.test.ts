import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rule of `npm run check` that holds the dependency direction, tried on code that breaks it.
const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.message);
}

describe('layering lint rule', () => {
  it.each([
    ['core/prune/x.ts', "import { app } from 'electron';", /only electron\/ may use Electron/],
    ['core/prune/x.ts', "import { readFile } from 'node:fs';", /Node built-ins are for core\/node/],
    ['core/prune/x.ts', "import { readFile } from 'fs';", /Node built-ins are for core\/node/],
    ['core/metrics/x.ts', "import * as ort from 'onnxruntime-node';", /onnxruntime-node is for core\/node\/ only/],
    ['core/backend/x.ts', "import * as ort from 'onnxruntime-web/wasm';", /onnxruntime-web is for core\/browser\/ only/],
    ['core/node/x.ts', "import * as ort from 'onnxruntime-web';", /onnxruntime-web is for core\/browser\/ only/],
    ['core/browser/x.ts', "import * as ort from 'onnxruntime-node';", /onnxruntime-node is for core\/node\/ only/],
    ['core/prune/x.ts', "import { main } from '../../electron/main.js';", /may not import the desktop host or the UI/],
    ['core/prune/x.ts', "import App from '../../renderer/App.svelte';", /may not import the desktop host or the UI/],
    ['core/prune/x.ts', 'export const title = document.title;', /core\/ must not touch the DOM/],
    ['core/prune/x.ts', 'export const env = process.env;', /process is Node-only/],
    ['core/node/x.ts', "import { app } from 'electron';", /only electron\/ may use Electron/],
    ['core/api/x.ts', "import type { ModelReport } from '../graph/preflight.js';", /core\/api owns the wire types and imports nothing but itself/],
    ['core/api/x.ts', "import { readFile } from 'node:fs';", /Node built-ins are for core\/node/],
    ['renderer/lib/x.ts', "import { ipcRenderer } from 'electron';", /only electron\/ may use Electron/],
    ['renderer/lib/x.ts', "import { readFile } from 'node:fs/promises';", /no Node built-ins/],
    ['renderer/lib/x.ts', "import { fit } from '../../core/train/fit.js';", /only core\/api\//],
    ['renderer/lib/x.ts', "import { relay } from '../../electron/worker-relay.js';", /only through EngineApi/],
    ['renderer/components/X.svelte', '<script lang="ts">import { fit } from \'../../core/train/fit.js\';</script>', /only core\/api\//],
  ])('%s: %s is refused', async (file, code, message) => {
    expect((await problems(file, code)).join('\n')).toMatch(message);
  });

  it.each([
    ['core/prune/x.ts', "import * as tf from '@tensorflow/tfjs-core';"],
    ['core/node/x.ts', "import { readFile } from 'node:fs/promises';"],
    ['core/browser/x.ts', "import type * as OrtWeb from 'onnxruntime-web/wasm';"],
    ['core/backend/x.ts', "import type * as Ort from 'onnxruntime-common';"],
    ['renderer/lib/x.ts', "import type { EngineApi } from '../../core/api/contract.js';"],
    ['core/api/x.ts', "import { z } from 'zod';"],
    ['electron/x.ts', "import { createEngine } from '../core/session/engine.js';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
