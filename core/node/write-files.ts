import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

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
    const temporary = `${target}.partial-${process.pid}`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, target);
    written.push(target);
  }
  return written;
}
