import { DatasetNotFoundError } from '../data/file-tree.js';
import { FileReadError } from '../data/file-errors.js';
import { FileWriteError } from '../data/host-files.js';

/** What a system error code means, in the words a user reads. */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ELOOP: 'too many symbolic links (a link that points back to itself?)',
  EEXIST: 'something is already there',
  ENOENT: 'no such file or folder',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EBUSY: 'the file is in use',
  ETXTBSY: 'the file is in use',
  EIO: 'an input/output error (a failing disk or network share?)',
  ENXIO: 'it is not a regular file (a socket or a device)',
  EXDEV: 'it lies on another file system',
  EINVAL: 'the name is not valid here',
};

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** "permission denied (EACCES)": a system error in words, with its code. */
export function describeFsError(error: unknown): string {
  const code = codeOf(error);
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return code ?? (error as Error)?.message ?? String(error);
}

/** Only raw system errors are renamed: a named error from below (a refusal, a format error) passes as it is. */
const isRaw = (error: unknown): boolean => error instanceof Error && error.name === 'Error' && codeOf(error) !== undefined;

/** A failed read as a named error naming the path: nothing there is DatasetNotFoundError, anything else FileReadError. */
export function readError(path: string, error: unknown): Error {
  if (!isRaw(error)) return error as Error;
  if (codeOf(error) === 'ENOENT') return new DatasetNotFoundError(`${path}: no such file or folder`);
  return new FileReadError(`${path}: cannot read it: ${describeFsError(error)}`);
}

/** A failed write as FileWriteError naming the path. */
export function writeError(path: string, error: unknown): Error {
  if (!isRaw(error)) return error as Error;
  return new FileWriteError(`${path}: cannot write it: ${describeFsError(error)}`);
}
