import { describe, expect, it } from 'vitest';
import { DatasetNotFoundError, type FileEntry } from '../../../core/data/file-tree.js';
import { type HostFiles, joinPath, openDataTree, openModelTree, parentPath, type PathInfo } from '../../../core/data/host-files.js';

// The opening logic every host shares, on a host whose files are a map (Windows paths here, as the
// desktop app on Windows hands them over): what is asked of the host, and what is refused before asking.
function windowsHost(files: Record<string, string>): HostFiles & { asked: string[] } {
  const asked: string[] = [];
  const bytes = (path: string) => new TextEncoder().encode(files[path.replace(/\//g, '\\')]);
  return {
    asked,
    async stat(path): Promise<PathInfo | undefined> {
      const key = path.replace(/\//g, '\\');
      if (key in files) return { kind: 'file', size: files[key].length };
      return Object.keys(files).some((f) => f.startsWith(`${key}\\`)) ? { kind: 'folder' } : undefined;
    },
    async read(path) {
      asked.push(path);
      if (!(path.replace(/\//g, '\\') in files)) throw new DatasetNotFoundError(`${path}: cannot read the file`);
      return bytes(path);
    },
    async list(folder): Promise<FileEntry[]> {
      return Object.keys(files)
        .filter((f) => f.startsWith(`${folder}\\`))
        .map((f) => ({ path: f.slice(folder.length + 1).replace(/\\/g, '/'), size: files[f].length }));
    },
  };
}

describe('opening user files through any host', () => {
  it('joins and splits paths the host understands, and refuses to climb out of a folder', () => {
    expect(joinPath('C:\\data\\', 'a/b.bin')).toBe('C:\\data/a/b.bin');
    expect(joinPath('/data', 'a.bin')).toBe('/data/a.bin');
    expect(() => joinPath('/data', '../etc/passwd')).toThrow(DatasetNotFoundError);
    expect(() => joinPath('/data', 'a//b')).toThrow(/outside the folder/);
    // Windows takes '\\' as a separator too, and a drive or stream (':') in a part leaves the folder.
    expect(() => joinPath('C:\\models', '..\\..\\Windows\\x')).toThrow(DatasetNotFoundError);
    expect(() => joinPath('C:\\models', 'a\\..\\..\\b')).toThrow(/outside the folder/);
    expect(() => joinPath('C:\\models', 'a\\\\b')).toThrow(/outside the folder/);
    expect(() => joinPath('C:\\models', 'D:\\x.bin')).toThrow(/outside the folder/);
    expect(() => joinPath('C:\\models', 'a/D:x.bin')).toThrow(/outside the folder/);
    expect(joinPath('C:\\models', 'sub\\w.bin')).toBe('C:\\models/sub\\w.bin');
    expect(parentPath('C:\\models\\net.json')).toBe('C:\\models');
    expect(parentPath('/model.json')).toBe('/');
    expect(parentPath('model.json')).toBe('.');
  });

  it('lists a model.json with only the weights it names, under the names it uses', async () => {
    const manifest = JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['./net.weights.bin'], weights: [] }] });
    const host = windowsHost({ 'C:\\models\\net.json': manifest, 'C:\\models\\net.weights.bin': 'wxyz', 'C:\\models\\other.bin': 'no' });
    const tree = await openModelTree(host, 'C:\\models\\net.json');
    expect(await tree.list()).toEqual([
      { path: 'model.json', size: manifest.length },
      { path: 'net.weights.bin', size: 4 },
    ]);
    expect(new TextDecoder().decode(await tree.read('net.weights.bin'))).toBe('wxyz');
    await expect(tree.read('../secrets.bin')).rejects.toThrow(DatasetNotFoundError);
    expect(host.asked).not.toContain('C:\\models/../secrets.bin');
  });

  it('opens a folder, and says plainly when a path is not there', async () => {
    const host = windowsHost({ 'D:\\mnist\\train-images-idx3-ubyte': 'i', 'D:\\mnist\\sub\\train-labels-idx1-ubyte': 'l' });
    const tree = await openDataTree(host, 'D:\\mnist');
    expect((await tree.list()).map((f) => f.path)).toEqual(['train-images-idx3-ubyte', 'sub/train-labels-idx1-ubyte']);
    await expect(openDataTree(host, 'D:\\nothing')).rejects.toThrow('D:\\nothing: no such file or folder');
  });
});
