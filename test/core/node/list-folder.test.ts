import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderNotFoundError, listFolder } from '../../../core/node/list-folder.js';

describe('listFolder', () => {
  it('lists folders first, then files with sizes, by name, without hidden entries', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pruneflow-list-'));
    await mkdir(join(root, 'zeta'));
    await mkdir(join(root, 'alpha'));
    await writeFile(join(root, 'b.bin'), new Uint8Array(7));
    await writeFile(join(root, 'a.txt'), 'hello');
    await writeFile(join(root, '.hidden'), 'x');
    await symlink(join(root, 'alpha'), join(root, 'link-to-alpha'));
    const listing = await listFolder(root);
    expect(listing.path).toBe(root);
    expect(listing.parent).toBe(tmpdir());
    expect(listing.entries).toEqual([
      { name: 'alpha', kind: 'folder' },
      { name: 'link-to-alpha', kind: 'folder' },
      { name: 'zeta', kind: 'folder' },
      { name: 'a.txt', kind: 'file', size: 5 },
      { name: 'b.bin', kind: 'file', size: 7 },
    ]);
    expect(listing.truncated).toBe(0);
  });

  it('lists the home folder for an empty path and has no parent at the root', async () => {
    expect((await listFolder('')).path).toBe(homedir());
    expect((await listFolder('/')).parent).toBeUndefined();
  });

  it('names a missing folder and a file given as a folder', async () => {
    await expect(listFolder('/no/such/folder')).rejects.toThrow(FolderNotFoundError);
    const root = await mkdtemp(join(tmpdir(), 'pruneflow-list-'));
    await writeFile(join(root, 'data.bin'), 'x');
    await expect(listFolder(join(root, 'data.bin'))).rejects.toThrow(/is a file, not a folder/);
  });
});
