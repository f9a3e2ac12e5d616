import { lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FileWriteError } from '../data/host-files.js';
import { checkWritePath, hasControlCharacter, type WriteCaller, writeRefusal, WriteRefusedError } from '../data/write-policy.js';
import type { RunHost } from '../session/run-inputs.js';
import { describeFsError, writeError } from './fs-errors.js';
import { writeFileAtomically, writeStreamAtomically, type AtomicWriteOptions } from './write-files.js';

/** What a write names: one file, or a folder to write files into (an export, checkpoints). */
export type WriteKind = 'file' | 'folder';

/**
 * The real path a write to `path` lands on, once the write policy accepts both its spelling and where
 * it really leads: every symbolic link on the way is followed (the deepest part that exists is resolved,
 * the rest appended), so a linked folder cannot carry a page's write into ~/.ssh. Something already at
 * the path must be of the kind asked for (a file is never written over a folder, a FIFO or a device; an
 * export never goes "into" a file).
 */
export async function resolveWriteTarget(path: string, caller: WriteCaller, kind: WriteKind = 'file'): Promise<string> {
  checkWritePath(path, caller, kind === 'folder');
  const absolute = resolve(path);
  let existing = absolute;
  const rest: string[] = [];
  while (!(await exists(existing, path))) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(basename(existing));
    existing = parent;
  }
  const real = join(await realpath(existing).catch((error: unknown) => Promise.reject(resolveError(path, error))), ...rest);
  if (real !== absolute) {
    const refusal = writeRefusal(real, caller, kind === 'folder');
    if (refusal) throw new WriteRefusedError(`${path} leads to ${refusal}`);
  }
  const info = await stat(real).catch(() => undefined);
  if (info && kind === 'file' && !info.isFile()) {
    throw new FileWriteError(
      `${path}: ${info.isDirectory() ? 'a folder is there, not a file' : 'not a regular file (a device, FIFO or socket)'}; choose another name.`,
    );
  }
  if (info && kind === 'folder' && !info.isDirectory()) {
    throw new FileWriteError(`${path}: a file is there, not a folder; files are written into a folder, so choose a folder or a new name.`);
  }
  return real;
}

async function exists(path: string, asked: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw writeError(asked, error);
  }
}

function resolveError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  // realpath of an existing entry fails with ENOENT only for a link to nothing.
  if (code === 'ENOENT') return new FileWriteError(`${path}: a symbolic link on the way points to nothing.`);
  return new FileWriteError(`${path}: cannot resolve where it leads: ${describeFsError(error)}`);
}

/** A file name inside a folder: one part, not hidden, no control characters. */
function checkFileName(folder: string, name: string): void {
  if (name.length === 0 || /[\\/]/.test(name) || name.startsWith('.') || hasControlCharacter(name)) {
    throw new WriteRefusedError(`Refusing to write ${JSON.stringify(name)} into ${folder}: a file name is one visible part without control characters.`);
  }
}

/**
 * The engine's writes on this computer, with the write policy enforced where the bytes go to disk: every
 * path resolved and checked (resolveWriteTarget), folders made, files written atomically, every failure a
 * named error naming the path.
 */
export function policyWriter(caller: WriteCaller) {
  const writeFile = async (path: string, bytes: Uint8Array, options?: AtomicWriteOptions): Promise<string> => {
    const target = await resolveWriteTarget(path, caller, 'file');
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFileAtomically(target, bytes, options);
    } catch (error) {
      throw writeError(path, error);
    }
    return target;
  };
  /** An upload: streamed to its target (writeStreamAtomically), refused past `maxBytes` as the chunks come. */
  const writeStream = async (path: string, chunks: AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: () => Error): Promise<string> => {
    const target = await resolveWriteTarget(path, caller, 'file');
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeStreamAtomically(target, chunks, maxBytes, tooLarge);
    } catch (error) {
      throw writeError(path, error);
    }
    return target;
  };
  return {
    caller,
    writeFile,
    writeStream,
    /** RunHost.writeFiles: each file into `folder`, made if needed; returns the paths as asked (the folder as given). */
    async writeFiles(folder: string, files: { name: string; bytes: Uint8Array }[]): Promise<string[]> {
      const real = await resolveWriteTarget(folder, caller, 'folder');
      for (const { name } of files) checkFileName(folder, name);
      const written: string[] = [];
      for (const { name, bytes } of files) {
        await writeFile(join(real, name), bytes);
        written.push(join(folder, name));
      }
      return written;
    },
    /** RunHost.checkWrite: the same checks before a run, so a bad target fails at once, not after an hour of training. */
    async checkWrite(path: string, kind: WriteKind): Promise<void> {
      await resolveWriteTarget(path, caller, kind);
    },
  } satisfies Pick<Required<RunHost>, 'writeFiles' | 'checkWrite'> & Record<string, unknown>;
}
