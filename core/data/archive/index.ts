import { DatasetFormatError } from '../dataset-errors.js';
import { memoryTree, type FileTree } from '../file-tree.js';
import { gunzipChecked, isGzip } from './gzip.js';
import { readTar } from './tar.js';

/** Archive names Pruneflow opens in memory instead of asking the user to extract them. */
export function isArchiveName(name: string): boolean {
  return /\.(tar|tar\.gz|tgz)$/i.test(name);
}

/**
 * A .tar, .tar.gz or .tgz archive as a FileTree. The tar is read once; its files are views into
 * the inflated bytes, so a 185 MB CIFAR-10 archive costs 185 MB, not twice that.
 */
export function openArchiveTree(label: string, bytes: Uint8Array): FileTree {
  const tar = isGzip(bytes) ? gunzipChecked(bytes, label) : bytes;
  if (tar.length === 0) throw new DatasetFormatError(label, 'the archive is empty');
  return memoryTree(label, readTar(tar, isGzip(bytes) ? `${label} (inflated tar)` : label));
}

export { gunzipChecked, isGzip } from './gzip.js';
export { indexTar, readTar, type TarMember } from './tar.js';
