import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RECENT_FILES, RecentFiles } from '../../electron/recent-files.js';

const folder = mkdtempSync(join(tmpdir(), 'pruneflow-recent-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('RecentFiles', () => {
  it('keeps the newest ten without duplicates, persisted and given to the OS', () => {
    const file = join(folder, 'recent.json');
    const os: string[] = [];
    const recent = new RecentFiles(file, { addRecentDocument: (path) => void os.push(path) });
    for (let i = 0; i < 12; i++) recent.add(`/p/${i}.pruneflow`);
    recent.add('/p/5.pruneflow');
    const expected = [
      '/p/5.pruneflow',
      '/p/11.pruneflow',
      '/p/10.pruneflow',
      '/p/9.pruneflow',
      '/p/8.pruneflow',
      '/p/7.pruneflow',
      '/p/6.pruneflow',
      '/p/4.pruneflow',
      '/p/3.pruneflow',
      '/p/2.pruneflow',
    ];
    expect(recent.paths).toEqual(expected);
    expect(expected).toHaveLength(MAX_RECENT_FILES);
    expect(os).toHaveLength(13);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(expected);
    expect(new RecentFiles(file).paths).toEqual(expected);
  });

  it('clears the list and the OS list', () => {
    const file = join(folder, 'clear.json');
    let cleared = false;
    const recent = new RecentFiles(file, { clearRecentDocuments: () => void (cleared = true) });
    recent.add('/p/a.pruneflow');
    recent.clear();
    expect(recent.paths).toEqual([]);
    expect(cleared).toBe(true);
    expect(new RecentFiles(file).paths).toEqual([]);
  });

  it('drops malformed entries from a hand-edited file', () => {
    const file = join(folder, 'edited.json');
    writeFileSync(file, JSON.stringify(['/p/a.pruneflow', 3, '', null, '/p/b.pruneflow']));
    expect(new RecentFiles(file).paths).toEqual(['/p/a.pruneflow', '/p/b.pruneflow']);
    writeFileSync(file, '{"not": "a list"}');
    expect(new RecentFiles(file).paths).toEqual([]);
  });
});
