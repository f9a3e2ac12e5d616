import type { FileTree } from '../data/file-tree.js';
import { sha256Hex } from './sha256.js';

/**
 * "sha256:<hex>" of a data set: the SHA-256 of its listing, one line per file in path order with the
 * file's own SHA-256, size and path. Files are read one at a time, so memory stays at one file.
 * The same content in another folder hashes the same: that is how a moved data set is recognised.
 */
export async function hashFileTree(tree: FileTree): Promise<{ contentHash: string; files: number; bytes: number }> {
  const files = [...(await tree.list())].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const lines: string[] = [];
  let bytes = 0;
  for (const { path } of files) {
    const data = await tree.read(path);
    bytes += data.length;
    lines.push(`${await sha256Hex(data)} ${data.length} ${path}\n`);
  }
  return { contentHash: `sha256:${await sha256Hex(new TextEncoder().encode(lines.join('')))}`, files: files.length, bytes };
}
