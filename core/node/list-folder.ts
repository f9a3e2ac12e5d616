import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { FolderEntry, FolderListing } from '../api/contract.js';

export class FolderNotFoundError extends Error {
  override name = 'FolderNotFoundError';
}

/** A listing stays small enough to send and to read; the rest is counted. */
const MAX_ENTRIES = 2000;

/**
 * One folder for the UI's file browser: folders first, then files, by name; hidden entries left out.
 * An empty path lists the home folder. Entries that vanish or cannot be read while listing are skipped.
 */
export async function listFolder(path: string): Promise<FolderListing> {
  const folder = resolve(path === '' ? homedir() : path);
  const info = await stat(folder).catch(() => {
    throw new FolderNotFoundError(`${folder}: no such folder. Check the path, or go up to a folder that exists.`);
  });
  if (!info.isDirectory()) throw new FolderNotFoundError(`${folder} is a file, not a folder. Choose it with "Use this path" instead.`);
  const dirents = await readdir(folder, { withFileTypes: true }).catch((error: Error) => {
    throw new FolderNotFoundError(`${folder}: cannot list the folder (${error.message}).`);
  });
  const entries: FolderEntry[] = [];
  for (const entry of dirents) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) entries.push({ name: entry.name, kind: 'folder' });
    else if (entry.isFile() || entry.isSymbolicLink()) {
      const target = await stat(join(folder, entry.name)).catch(() => undefined);
      if (target?.isDirectory()) entries.push({ name: entry.name, kind: 'folder' });
      else if (target) entries.push({ name: entry.name, kind: 'file', size: target.size });
    }
  }
  entries.sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind === 'folder' ? -1 : 1));
  const parent = dirname(folder);
  return { path: folder, ...(parent !== folder && { parent }), entries: entries.slice(0, MAX_ENTRIES), truncated: Math.max(0, entries.length - MAX_ENTRIES) };
}
