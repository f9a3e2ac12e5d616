import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAssetReader } from '../../../core/node/asset-reader.js';

const root = mkdtempSync(join(tmpdir(), 'pruneflow-assets-'));
mkdirSync(join(root, 'assets', 'sample'), { recursive: true });
writeFileSync(join(root, 'assets', 'sample', 'data.bin'), new Uint8Array([1, 2, 3]));
writeFileSync(join(root, 'secret.txt'), 'not an asset');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const read = createAssetReader(pathToFileURL(join(root, 'assets')));

describe('createAssetReader', () => {
  it('reads a file of the asset folder by relative name', async () => {
    expect(await read('sample/data.bin')).toEqual(new Uint8Array([1, 2, 3]));
  });

  it.each(['../secret.txt', 'sample/../../secret.txt', '/etc/passwd', 'file:///etc/passwd', 'sample\\..\\..\\secret.txt'])('refuses %s', async (name) => {
    await expect(read(name)).rejects.toMatchObject({ name: 'AssetNotFoundError', message: expect.stringMatching(/outside/) });
  });

  it('names a missing asset', async () => {
    await expect(read('sample/missing.bin')).rejects.toMatchObject({
      name: 'AssetNotFoundError',
      message: expect.stringMatching(/'sample\/missing.bin' is missing/),
    });
  });
});
