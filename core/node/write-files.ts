import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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

/**
 * One file written beside its target (`<target>.partial-<pid>`), flushed to disk, then renamed over it.
 * The rename is atomic: readers see the old file or the new one, never a mix. An existing file's
 * permissions carry over to the new one.
 */
export async function writeFileAtomically(target: string, bytes: Uint8Array, { onProgress }: AtomicWriteOptions = {}): Promise<void> {
  const mode = await stat(target).then((s) => s.mode & 0o7777, () => undefined);
  // Unique per save: two saves of one file in one process (an autosave and the final one) must not share it.
  const temporary = `${target}.partial-${process.pid}-${++saves}`;
  const handle = await open(temporary, 'w');
  try {
    // chmod, not open's mode argument: that one is masked by the umask.
    if (mode !== undefined) await handle.chmod(mode);
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, Math.min(CHUNK, bytes.length - written), written);
      written += bytesWritten;
      await onProgress?.('writing', written, bytes.length);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await onProgress?.('flushed', bytes.length, bytes.length);
  await rename(temporary, target);
  await syncFolder(dirname(target));
  await onProgress?.('renamed', bytes.length, bytes.length);
}

/** Makes the rename itself durable. Not every system can open a folder for syncing (Windows): then skip. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
