import { describe, expect, it } from 'vitest';
import { parseHostFileRequest } from '../../../core/data/host-file-requests.js';
import { WriteRefusedError } from '../../../core/data/write-policy.js';

// The check both hosts (`pruneflow serve`, the desktop app's main process) run on a page's file request
// before touching a file: a page may read any file it names, but write only Pruneflow's own kinds.
const write = (path: string) => () => parseHostFileRequest({ op: 'write', path, bytes: new Uint8Array(1) });

describe('parseHostFileRequest', () => {
  it("lets a page write Pruneflow's own files: projects, exported models, reports", () => {
    for (const path of [
      '/home/u/p.pruneflow',
      '/home/u/out/model.json',
      'out/group1-shard1of1.bin',
      'C:\\Users\\u\\m.h5',
      'D:\\m.KERAS',
      'out/model.onnx',
      './r.html',
      'r.md',
      'r.csv',
    ]) {
      expect(write(path)(), path).toMatchObject({ op: 'write', path });
    }
  });

  it.each([
    ['a shell start-up file', '/home/u/.bashrc', /hidden/],
    ['a hidden folder', '/home/u/.ssh/authorized_keys.json', /hidden/],
    ['a hidden folder on Windows', 'C:\\Users\\u\\.config\\x.json', /hidden/],
    ['a climb', '/home/u/out/../../etc/x.json', /'\.\.'/],
    ['a climb with backslashes', 'C:\\models\\..\\..\\Windows\\x.json', /'\.\.'/],
    ['a script', '/home/u/run.sh', /Pruneflow's own files/],
    ['a file without extension', '/home/u/bin/pruneflow', /Pruneflow's own files/],
    ['an extension hidden in a folder name', '/home/u/x.json/run.sh', /Pruneflow's own files/],
  ])('refuses to write %s, saying why', (_case, path, why) => {
    expect(write(path)).toThrow(WriteRefusedError);
    expect(write(path)).toThrow(why);
  });

  it('still reads and lists any path the page names (the token guards them)', () => {
    expect(parseHostFileRequest({ op: 'read', path: '/home/u/.bashrc' })).toEqual({ op: 'read', path: '/home/u/.bashrc' });
    expect(parseHostFileRequest({ op: 'folder', path: '/home/u/.config' })).toEqual({ op: 'folder', path: '/home/u/.config' });
  });
});
