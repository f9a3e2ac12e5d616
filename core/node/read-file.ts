import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { NotRegularFileError } from '../data/file-errors.js';
import { readError } from './fs-errors.js';

// Non-blocking, so that opening a FIFO with no writer returns at once instead of holding a thread forever.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Why a stat of something that is not a regular file or folder is refused. */
export const notRegular = (path: string): NotRegularFileError =>
  new NotRegularFileError(`${path}: not a regular file (a device, FIFO or socket); Pruneflow reads only files and folders.`);

/**
 * A whole regular file's bytes, at most the size it had when opened. Devices, FIFOs and sockets are
 * refused before a byte is read (/dev/zero never ends; a FIFO blocks); folders too. Errors are named
 * and name the path.
 */
export async function readRegularFile(path: string): Promise<Uint8Array> {
  const handle = await openForReading(path);
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw readError(path, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
    if (!info.isFile()) throw notRegular(path);
    const bytes = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break; // the file shrank while being read
      filled += bytesRead;
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, filled);
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

/** Opens without blocking on a FIFO (ENXIO: nothing writes to it) and names what failed. */
async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw notRegular(path);
    throw readError(path, error);
  }
}

/**
 * `length` bytes of a regular file from `offset` (fewer where the file ends sooner): a member of an archive
 * read without reading the archive. Refuses what `readRegularFile` refuses.
 */
export async function readFileRange(path: string, offset: number, length: number): Promise<Uint8Array> {
  const handle = await openForReading(path);
  try {
    if (!(await handle.stat()).isFile()) throw notRegular(path);
    const bytes = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(bytes, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === length ? bytes : bytes.subarray(0, filled);
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}
