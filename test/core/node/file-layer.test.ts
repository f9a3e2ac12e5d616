import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeHostFiles } from '../../../core/node/node-host-files.js';
import { readRegularFile } from '../../../core/node/read-file.js';
import { removeStalePartials, writeFileAtomically } from '../../../core/node/write-files.js';
import { policyWriter, resolveWriteTarget } from '../../../core/node/write-target.js';
import { ROOT } from '../../build/run.js';

// The engine's file layer on real files in a temporary folder: the write policy on real paths (links
// followed), reads of things that are not files, named errors, and the clean-up of killed saves.
const bytes = new TextEncoder().encode('{"ok":true}\n');

/** A fake home with a hidden ~/.ssh and a projects folder holding links into it. */
function home() {
  const root = mkdtempSync(join(tmpdir(), 'pruneflow-files-'));
  const ssh = join(root, '.ssh');
  const projects = join(root, 'projects');
  mkdirSync(ssh);
  mkdirSync(projects);
  writeFileSync(join(ssh, 'authorized_keys'), 'ssh-ed25519 AAAA mine\n');
  symlinkSync(ssh, join(projects, 'keys'));
  symlinkSync(join(ssh, 'authorized_keys'), join(projects, 'keys.csv'));
  return { root, ssh, projects };
}

describe('the write policy where files are written', () => {
  it("refuses a page's write through a linked folder or a linked file into a hidden folder; nothing lands there", async () => {
    const { ssh, projects } = home();
    const page = policyWriter('page');
    await expect(page.writeFile(join(projects, 'keys', 'report.csv'), bytes)).rejects.toMatchObject({
      name: 'WriteRefusedError',
      message: expect.stringContaining(`leads to ${ssh}`),
    });
    await expect(page.writeFile(join(projects, 'keys.csv'), bytes)).rejects.toMatchObject({ name: 'WriteRefusedError' });
    await expect(page.writeFiles(join(projects, 'keys', 'export'), [{ name: 'model.json', bytes }])).rejects.toMatchObject({ name: 'WriteRefusedError' });
    // The same through the host-files layer every page host uses (serve's endpoint, the desktop IPC).
    await expect(nodeHostFiles.write!(join(projects, 'keys', 'model.json'), bytes)).rejects.toMatchObject({ name: 'WriteRefusedError' });
    expect(readdirSync(ssh)).toEqual(['authorized_keys']);
    expect(readFileSync(join(ssh, 'authorized_keys'), 'utf8')).toBe('ssh-ed25519 AAAA mine\n');
  });

  it.each([
    ['a hidden folder', (root: string) => join(root, '.config', 'autostart', 'x.json')],
    ['a hidden file', (root: string) => join(root, '.bash_login.json')],
    ["a climb with '..'", (root: string) => `${root}/projects/../x.json`],
    ['a file type of its own', (root: string) => join(root, 'projects', 'run.sh')],
    ['a line break in the name', (root: string) => join(root, 'projects', 'a\nb.json')],
  ])('refuses a page %s', async (_what, pathIn) => {
    const { root } = home();
    await expect(policyWriter('page').writeFile(pathIn(root), bytes)).rejects.toMatchObject({ name: 'WriteRefusedError' });
  });

  it('lets a page write its own file types in a plain folder, and the user at a terminal write where they ask', async () => {
    const { projects, ssh } = home();
    await policyWriter('page').writeFile(join(projects, 'new', 'a.pruneflow'), bytes);
    expect(readFileSync(join(projects, 'new', 'a.pruneflow'))).toEqual(Buffer.from(bytes));
    // The user's own command may follow the link they made, but never write a control character into a name.
    await policyWriter('user').writeFile(join(projects, 'keys', 'notes.txt'), bytes);
    expect(existsSync(join(ssh, 'notes.txt'))).toBe(true);
    await expect(policyWriter('user').writeFile(join(projects, 'a\rb.csv'), bytes)).rejects.toMatchObject({ name: 'WriteRefusedError' });
  });

  it('names what is in the way: a file where an export folder should be, a folder or a FIFO where a file should be, a link loop', async () => {
    const { projects } = home();
    const file = join(projects, 'taken');
    writeFileSync(file, 'x');
    await expect(resolveWriteTarget(file, 'user', 'folder')).rejects.toMatchObject({
      name: 'FileWriteError',
      message: expect.stringContaining(`${file}: a file is there, not a folder`),
    });
    await expect(resolveWriteTarget(projects, 'user', 'file')).rejects.toMatchObject({
      name: 'FileWriteError',
      message: expect.stringContaining('a folder is there'),
    });
    const fifo = join(projects, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    await expect(policyWriter('page').writeFile(fifo, bytes)).rejects.toMatchObject({
      name: 'FileWriteError',
      message: expect.stringContaining('not a regular file'),
    });
    symlinkSync(join(projects, 'loop-b'), join(projects, 'loop-a'));
    symlinkSync(join(projects, 'loop-a'), join(projects, 'loop-b'));
    await expect(policyWriter('user').writeFile(join(projects, 'loop-a', 'x.json'), bytes)).rejects.toMatchObject({
      name: 'FileWriteError',
      message: expect.stringMatching(/loop-a.*ELOOP/),
    });
  });
});

describe('reads of what is not a regular file', () => {
  it('refuses /dev/zero and a FIFO with no writer at once, by name', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'pruneflow-fifo-')), 'data.bin');
    execFileSync('mkfifo', [fifo]);
    // Four at once: before, each read of a FIFO held one of libuv's four threads for good.
    const reads = [fifo, fifo, fifo, fifo, '/dev/zero'].map((path) =>
      readRegularFile(path).then(
        () => 'read',
        (error: Error) => error.name,
      ),
    );
    expect(await Promise.all(reads)).toEqual(Array(5).fill('NotRegularFileError'));
    await expect(nodeHostFiles.stat('/dev/zero')).rejects.toMatchObject({ name: 'NotRegularFileError', message: expect.stringContaining('/dev/zero') });
    await expect(nodeHostFiles.read(fifo)).rejects.toMatchObject({ name: 'NotRegularFileError' });
    // The file system still answers (no thread is stuck on the FIFO).
    expect(await nodeHostFiles.stat(fifo.replace('data.bin', ''))).toEqual({ kind: 'folder' });
  });

  it('names a folder read as a file and a link loop, with the path', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pruneflow-read-'));
    await expect(readRegularFile(folder)).rejects.toMatchObject({
      name: 'FileReadError',
      message: `${folder}: cannot read it: it is a folder, not a file (EISDIR)`,
    });
    symlinkSync(join(folder, 'b'), join(folder, 'a'));
    symlinkSync(join(folder, 'a'), join(folder, 'b'));
    await expect(readRegularFile(join(folder, 'a'))).rejects.toMatchObject({ name: 'FileReadError', message: expect.stringContaining('(ELOOP)') });
    await expect(readRegularFile(join(folder, 'absent'))).rejects.toMatchObject({ name: 'DatasetNotFoundError' });
  });
});

describe('temporary files of killed saves', () => {
  it('removes those of dead processes at the next save of the same file, and leaves a live process and other files alone', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pruneflow-partial-'));
    const target = join(folder, 'project.pruneflow');
    // A process that has ended: its pid is free (reuse within this test is as unlikely as it is harmless).
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = [`project.pruneflow.partial-${dead}-1`, `project.pruneflow.partial-${dead}-7`, `project.pruneflow.partial-${process.pid}-999999`];
    const kept = [`project.pruneflow.partial-${process.ppid}-1`, `other.pruneflow.partial-${dead}-1`, 'project.pruneflow.partial-notes'];
    for (const name of [...stale, ...kept]) writeFileSync(join(folder, name), 'half a project');
    await writeFileAtomically(target, bytes);
    expect(readdirSync(folder).sort()).toEqual([...kept, 'project.pruneflow'].sort());
    expect(await removeStalePartials(target)).toEqual([]);
  });

  it('cleans up after a save killed half-way, at the next save', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pruneflow-kill-'));
    const target = join(folder, 'big.json');
    // A child saves 64 MiB in 1 MiB steps and is killed (SIGKILL) once its temporary file exists.
    const script = `import(${JSON.stringify(join(ROOT, 'dist/core/node/write-files.js'))})`;
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `${script}.then(({ writeFileAtomically }) => writeFileAtomically(${JSON.stringify(target)}, new Uint8Array(64 ` +
          `<< 20), { onProgress: (stage, n) => { if (n >= 4 << 20) process.kill(process.pid, 'SIGKILL'); } }))`,
      ],
      { timeout: 60_000 },
    );
    expect(child.signal).toBe('SIGKILL');
    expect(readdirSync(folder)).toEqual([expect.stringMatching(/^big\.json\.partial-\d+-1$/)]);
    expect(existsSync(target)).toBe(false);
    await writeFileAtomically(target, bytes);
    expect(readdirSync(folder)).toEqual(['big.json']);
  });
});
