/**
 * Where the engine may write, one rule for every host and caller. A page (the served app, the desktop
 * window) may write only Pruneflow's own kinds of file, never into a hidden folder or file, never
 * through '..'; the user at a terminal may write anywhere they name. Nobody writes a path holding a
 * control character. This file checks spellings; the host that owns the disk checks the same rules
 * again on the real path, symbolic links followed (core/node/write-target.ts).
 */

/** Who asked for the write: a page (anything reached over IPC or the served WebSocket) or the user at a terminal. */
export type WriteCaller = 'page' | 'user';

/** A write the policy refuses; says which path and why. */
export class WriteRefusedError extends Error {
  override name = 'WriteRefusedError';
}

/** What the engine writes (projects, exported models, reports): a page may write nothing else, so never ~/.bashrc. */
export const WRITABLE_EXTENSIONS: readonly string[] = ['.pruneflow', '.json', '.bin', '.h5', '.keras', '.onnx', '.html', '.md', '.csv'];

// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Whether a path (or file name) holds a control character (a newline, NUL, escape ...). */
export const hasControlCharacter = (text: string): boolean => CONTROL.test(text);

/** User text made safe to put in a line of a file or a name: control characters (newlines too) become one space each run. */
export const plainText = (text: string): string => text.replace(CONTROLS, ' ');

/**
 * Why `caller` may not write the file `path`, or undefined if it may. `folder`: the path names a folder
 * to write into (an export), so the file-type rule does not apply to it.
 */
export function writeRefusal(path: string, caller: WriteCaller, folder = false): string | undefined {
  if (path.length === 0) return 'No path was given to write.';
  if (hasControlCharacter(path)) return `${JSON.stringify(path)}: a path to write may not hold control characters (line breaks, NUL).`;
  if (caller === 'user') return undefined;
  const parts = path.split(/[\\/]/);
  // '.' alone only names the current folder; '..' climbs, and '.ssh', '.config' or '.bashrc' are hidden.
  if (parts.some((part) => part.startsWith('.') && part !== '.')) return `${path}: a page may not write into hidden folders or files, nor climb with '..'.`;
  if (folder) return undefined;
  const name = parts[parts.length - 1].toLowerCase();
  if (!WRITABLE_EXTENSIONS.some((extension) => name.endsWith(extension) && name.length > extension.length)) {
    return `${path}: a page may write only Pruneflow's own files (${WRITABLE_EXTENSIONS.join(', ')}).`;
  }
  return undefined;
}

/** Throws WriteRefusedError when `caller` may not write `path` (see writeRefusal). */
export function checkWritePath(path: string, caller: WriteCaller, folder = false): void {
  const refusal = writeRefusal(path, caller, folder);
  if (refusal) throw new WriteRefusedError(refusal);
}
