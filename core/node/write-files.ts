import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes each file beside its final name, flushes it, then renames it into place: a crash or a full
 * disk never leaves a half-written file where a good one was.
 */
export async function writeFilesAtomically(folder: string, files: { name: string; bytes: Uint8Array }[]): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  for (const { name, bytes } of files) {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`Refusing to write '${name}' outside ${folder}`);
    const target = join(folder, name);
    await writeFileAtomically(target, bytes);
    written.push(target);
  }
  return written;
}

export type WriteStage = 'writing' | 'flushed' | 'renamed';

export interface AtomicWriteOptions {
  /** After every chunk written, after the flush and after the rename; awaited (progress of large saves). */
  onProgress?: (stage: WriteStage, written: number, total: number) => void | Promise<void>;
}

const CHUNK = 1 << 20;
let saves = 0;
/** Temporary files of saves now under way in this process. */
const inFlight = new Set<string>();

/**
 * One file written beside its target (`<target>.partial-<pid>-<n>`), flushed to disk, then renamed over it.
 * The rename is atomic: readers see the old file or the new one, never a mix. An existing file's
 * permissions carry over to the new one. Temporary files that a killed save of the same file left
 * behind are removed first.
 */
export async function writeFileAtomically(target: string, bytes: Uint8Array, { onProgress }: AtomicWriteOptions = {}): Promise<void> {
  await atomically(
    target,
    async (handle) => {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, Math.min(CHUNK, bytes.length - written), written);
        written += bytesWritten;
        await onProgress?.('writing', written, bytes.length);
      }
      return bytes.length;
    },
    onProgress,
  );
}

/**
 * A file that arrives in chunks (an upload), written as writeFileAtomically writes one: the size is counted as
 * the chunks come, and the first chunk past `maxBytes` ends the write with `tooLarge()`. Whatever ends it early
 * (that, the source failing, a disk error) removes the temporary file and leaves the target as it was.
 */
export async function writeStreamAtomically(target: string, chunks: AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: () => Error): Promise<number> {
  let total = 0;
  await atomically(target, async (handle) => {
    for await (const chunk of chunks) {
      if (total + chunk.length > maxBytes) throw tooLarge();
      for (let done = 0; done < chunk.length;) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, total + done);
        done += bytesWritten;
      }
      total += chunk.length;
    }
    return total;
  });
  return total;
}

/** The temporary file, its content from `fill` (which returns its length), flushed, renamed over `target`. */
async function atomically(target: string, fill: (handle: FileHandle) => Promise<number>, onProgress?: AtomicWriteOptions['onProgress']): Promise<void> {
  const mode = await stat(target).then(
    (s) => s.mode & 0o7777,
    () => undefined,
  );
  await removeStalePartials(target);
  // Unique per save: two saves of one file in one process (an autosave and the final one) must not share it.
  const temporary = `${target}.partial-${process.pid}-${++saves}`;
  // 'wx': never through a link or over a file someone else put under that name.
  const handle = await open(temporary, 'wx');
  inFlight.add(temporary);
  let length: number;
  try {
    // chmod, not open's mode argument: that one is masked by the umask.
    if (mode !== undefined) await handle.chmod(mode);
    length = await fill(handle);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    inFlight.delete(temporary);
    throw error;
  }
  await handle.close();
  await onProgress?.('flushed', length, length);
  try {
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    inFlight.delete(temporary);
  }
  await syncFolder(dirname(target));
  await onProgress?.('renamed', length, length);
}

/** Makes the rename itself durable. Not every system can open a folder for syncing (Windows): then skip. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

const PARTIAL = /^\.partial-(\d+)-\d+$/;

/**
 * Removes `<target>.partial-<pid>-<n>` files of saves that can no longer finish: their process is gone
 * (killed mid-save), or it is this one and the save is not under way. Another live process's are left alone.
 */
export async function removeStalePartials(target: string): Promise<string[]> {
  const folder = dirname(target);
  const name = basename(target);
  const removed: string[] = [];
  for (const entry of await readdir(folder).catch(() => [] as string[])) {
    const match = entry.startsWith(name) ? PARTIAL.exec(entry.slice(name.length)) : null;
    if (!match) continue;
    const path = join(folder, entry);
    const pid = Number(match[1]);
    if (inFlight.has(path) || (pid !== process.pid && processAlive(pid))) continue;
    await rm(path, { force: true }).then(
      () => removed.push(path),
      () => undefined,
    );
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
