import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildNodeIfStale, ROOT } from '../../build/run.js';

/**
 * A project saved where writes fail, for real: a full disk (a 64 KiB tmpfs mounted in a private mount namespace,
 * `unshare -rm`, gone when the process ends) and a folder the process may not write to (as root, which writes
 * anywhere, the save runs as user nobody). The save must fail with FileWriteError naming the file and why, and
 * leave the good file that was there and no temporary file. The saving process runs the built dist/ writer.
 */
const CHILD = join(ROOT, 'test/core/node/save-failure-child.mjs');
const FIXTURE = join(ROOT, 'test/fixtures/projects/version-1.pruneflow');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Outcome {
  error: { name: string; message: string } | null;
  entries: string[];
  sha256: string;
}
const outcome = (stdout: string): Outcome => JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome;

beforeAll(async () => {
  await buildNodeIfStale(new URL('../../../dist/core/node/project-file.js', import.meta.url));
});

describe('saving a project where writes fail', () => {
  it('on a full disk: FileWriteError naming the file and ENOSPC, the previous file intact', () => {
    const folder = mkdtempSync(join(tmpdir(), 'pruneflow-full-'));
    const file = join(folder, 'project.pruneflow');
    const script = 'mount -t tmpfs -o size=64k tmpfs "$1" && cp "$2" "$3" && exec "$4" "$5" "$3" 256';
    const stdout = execFileSync('unshare', ['-rm', 'sh', '-c', script, 'sh', folder, FIXTURE, file, process.execPath, CHILD], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { error, entries, sha256 } = outcome(stdout);
    expect(error?.name).toBe('FileWriteError');
    expect(error?.message).toBe(`${file}: cannot write it: the disk is full (ENOSPC)`);
    expect(entries).toEqual(['project.pruneflow']);
    expect(sha256).toBe(sha(readFileSync(FIXTURE)));
  });

  it('in a folder it may not write to: FileWriteError naming the file and EACCES, the previous file intact', () => {
    const folder = mkdtempSync(join(tmpdir(), 'pruneflow-denied-'));
    const file = join(folder, 'project.pruneflow');
    copyFileSync(FIXTURE, file);
    chmodSync(file, 0o644);
    const root = process.getuid?.() === 0;
    // Root ignores permissions: the save runs as nobody, for whom the folder is read-only. Anyone else: the folder is made so.
    chmodSync(folder, root ? 0o755 : 0o555);
    const stdout = execFileSync(process.execPath, [CHILD, file, '16'], { encoding: 'utf8', timeout: 60_000, ...(root && { uid: 65534, gid: 65534 }) });
    chmodSync(folder, 0o755);
    const { error, entries, sha256 } = outcome(stdout);
    expect(error?.name).toBe('FileWriteError');
    expect(error?.message).toBe(`${file}: cannot write it: permission denied (EACCES)`);
    expect(entries).toEqual(['project.pruneflow']);
    expect(sha256).toBe(sha(readFileSync(FIXTURE)));
  });
});
