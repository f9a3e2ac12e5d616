import { realpath, stat } from 'node:fs/promises';
import { extname, posix, resolve, sep } from 'node:path';

/** The types the built renderer uses; anything else is served as opaque bytes (and nosniff keeps it so). */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export const contentTypeOf = (path: string): string => CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

/**
 * The file under `root` that a URL path names, or undefined. Refuses rather than repairs anything
 * odd: bad percent-encoding, NUL, backslashes, and any segment starting with a dot (`..`, dotfiles),
 * so an encoded `..%2f` cannot climb out either.
 */
export function staticPathFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  if (relative.split('/').some((segment) => segment.startsWith('.'))) return undefined;
  const full = resolve(root, posix.normalize(relative));
  return full.startsWith(root + sep) ? full : undefined;
}

/** The path if it is a regular file that really lies under `root` (symbolic links resolved), else undefined. */
export async function existingFileUnder(root: string, path: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]);
    if (!real.startsWith(realRoot + sep)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}
