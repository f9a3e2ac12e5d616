import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { exportModel, type ExportFormat } from '../../../core/models/io/export-model.js';
import { importModel } from '../../../core/models/io/import-model.js';
import { ModelNotFoundError } from '../../../core/data/host-files.js';
import { openModelSource } from '../../../core/node/open-model-source.js';
import { buildBranchy, maxOutputDiff } from '../../fixtures/models/test-models.js';

const dir = mkdtempSync(join(tmpdir(), 'pruneflow-models-'));
const model = buildBranchy();

beforeAll(async () => {
  await tf.setBackend('cpu');
  const write = async (format: ExportFormat, rename: (name: string) => string) => {
    for (const f of await exportModel(model, format)) writeFileSync(join(dir, rename(f.name)), f.bytes);
  };
  await write('tfjs', (n) => (n === 'model.json' ? 'branchy.json' : n));
  await write('keras-h5', () => 'branchy.h5');
  await write('keras', () => 'branchy.keras');
  writeFileSync(join(dir, 'other.json'), '{"not": "a model"}');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openModelSource: a path as the user picks it', () => {
  it.each([
    { path: 'branchy.json', format: 'tfjs-layers' },
    { path: 'branchy.h5', format: 'keras-h5' },
    { path: 'branchy.keras', format: 'keras' },
  ])('opens $path', async ({ path, format }) => {
    const imported = await importModel(await openModelSource(join(dir, path)));
    expect(imported.format).toBe(format);
    expect(maxOutputDiff(model, imported.model)).toBeLessThan(1e-6);
  });

  it('says which path does not exist', async () => {
    const missing = openModelSource(join(dir, 'missing.h5'));
    await expect(missing).rejects.toThrow(/missing\.h5: no such file or folder/);
    // A model error, not a data set's: the UI's advice and the CLI's message name the model.
    await expect(missing).rejects.toThrow(ModelNotFoundError);
  });
});
