import type { FileEntry } from './file-tree.js';

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;
const SPLIT_FOLDERS = new Map([
  ['train', 'train'],
  ['test', 'test'],
  ['val', 'val'],
  ['valid', 'val'],
  ['validation', 'val'],
]);

export interface ClassFolder {
  path: string;
  images: string[];
}

/** Where the images of an image folder sit, worked out from names alone. */
export interface FolderLayout {
  /** Split name -> class folder name -> its images, sorted. 'all' when there are no train/test folders. */
  splits: Map<string, Map<string, ClassFolder>>;
  /** Visible files that are not PNG or JPEG images, or that sit outside any class folder. */
  ignored: string[];
}

/**
 * Finds the class folders. The data set's root is the deepest folder above every image's class
 * folder; below it are class folders, or train/ and test/ (and val/) each holding class folders.
 * Images nested deeper inside a class folder belong to it. Hidden files and folders (and macOS's
 * __MACOSX) are skipped, but a hidden file still makes its folder exist, so a class folder kept
 * by a lone .gitkeep shows up as empty.
 */
export function folderLayout(files: readonly FileEntry[]): FolderLayout {
  const entries = files
    .map((f) => ({ path: f.path, parts: f.path.split('/') }))
    .filter((e) => !e.parts.slice(0, -1).some(isHidden))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const isImage = (e: { parts: string[] }) => IMAGE_EXTENSION.test(e.parts.at(-1)!) && !isHidden(e.parts.at(-1)!);
  const images = entries.filter(isImage);
  const root = commonFolder(images.map((e) => e.parts.slice(0, -2)));
  const below = (parts: string[]) => (root.every((segment, i) => parts[i] === segment) ? parts.slice(root.length) : []);
  const splitMode =
    images.length > 0 &&
    images.every((e) => {
      const parts = below(e.parts);
      return parts.length >= 3 && SPLIT_FOLDERS.has(parts[0].toLowerCase());
    });
  const splits = new Map<string, Map<string, ClassFolder>>();
  const ignored: string[] = [];
  for (const entry of entries) {
    const parts = below(entry.parts);
    const split = splitMode ? SPLIT_FOLDERS.get((parts[0] ?? '').toLowerCase()) : 'all';
    const inClass = splitMode ? parts.slice(1) : parts;
    if (split === undefined || inClass.length < 2) {
      if (!isHidden(entry.parts.at(-1)!)) ignored.push(entry.path);
      continue;
    }
    const classes = splits.get(split) ?? new Map<string, ClassFolder>();
    splits.set(split, classes);
    const folder = classes.get(inClass[0]) ?? { path: entry.parts.slice(0, -inClass.length + 1).join('/'), images: [] };
    classes.set(inClass[0], folder);
    if (isImage(entry)) folder.images.push(entry.path);
    else if (!isHidden(entry.parts.at(-1)!)) ignored.push(entry.path);
  }
  return { splits, ignored };
}

const isHidden = (segment: string) => segment.startsWith('.') || segment === '__MACOSX';

function commonFolder(folders: string[][]): string[] {
  let common = folders[0] ?? [];
  for (const folder of folders) {
    let n = 0;
    while (n < common.length && common[n] === folder[n]) n++;
    common = common.slice(0, n);
  }
  return common;
}
