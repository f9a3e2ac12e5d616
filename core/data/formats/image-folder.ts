import { DatasetFormatError } from '../dataset-errors.js';
import type { FileTree } from '../file-tree.js';
import { decodeImage } from '../image-decode.js';
import { type ClassFolder, folderLayout } from '../image-folder-layout.js';
import type { ImageDataset } from '../image-dataset.js';
import { ImageStack } from '../image-stack.js';
import { streamedFolder } from '../streaming/stream-folder.js';
import type { DatasetFormat, LoadedDataset, OpenOptions } from './dataset-format.js';

const MAX_CLASSES = 256; // labels are uint8

/** A folder of PNG and JPEG images, one sub-folder per class, optionally inside train/ and test/. */
export const imageFolder: DatasetFormat = {
  id: 'image-folder',
  label: 'Image folder',
  expects: 'one sub-folder of PNG or JPEG images per class (cat/1.png, dog/2.jpg), optionally inside train/ and test/',
  imageKind: 'natural',
  match: (files) => [...folderLayout(files).splits.values()].some((classes) => [...classes.values()].some((c) => c.images.length > 0)),
  open: openImageFolder,
};

async function openImageFolder(tree: FileTree, options: OpenOptions = {}): Promise<LoadedDataset> {
  const { splits, ignored } = folderLayout(await tree.list());
  const folders = [...splits.values()].flatMap((classes) => [...classes.values()]);
  const total = folders.reduce((sum, folder) => sum + folder.images.length, 0);
  if (total === 0) throw new DatasetFormatError(tree.label, 'no PNG or JPEG images in class sub-folders (expected e.g. cat/1.png, dog/2.jpg)');
  const empty = folders.find((folder) => folder.images.length === 0);
  if (empty) throw new DatasetFormatError(empty.path, 'this class folder holds no PNG or JPEG images (add some or remove the folder)');
  const classNames = [...new Set([...splits.values()].flatMap((classes) => [...classes.keys()]))].sort();
  if (classNames.length > MAX_CLASSES) throw new DatasetFormatError(tree.label, `${classNames.length} class folders; at most ${MAX_CLASSES} are supported`);

  const warnings = missingClassWarnings(splits, classNames);
  if (ignored.length > 0) {
    warnings.push(
      `ignored ${ignored.length} file${ignored.length === 1 ? '' : 's'} that are not ` +
        `PNG or JPEG images in class folders (e.g. ${ignored.slice(0, 3).join(', ')})`,
    );
  }
  if (options.stream) {
    const streamed = await streamedFolder(tree, splits, classNames, options.stream, options.imageSize);
    if (streamed) {
      const datasets = Object.fromEntries(
        Object.entries(streamed.splits).map(([split, set]) => [split, { ...set, name: `${baseLabel(tree.label)} (${split})` }]),
      );
      return { format: 'image-folder', splits: datasets, classNames, warnings: [...warnings, streamed.note] };
    }
  }
  const stack = new ImageStack(options.imageSize);
  const ranges: Array<{ split: string; start: number; labels: Uint8Array }> = [];
  for (const [split, classes] of [...splits].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const start = stack.count;
    const sorted = [...classes].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const labels = new Uint8Array(sorted.reduce((sum, [, folder]) => sum + folder.images.length, 0));
    for (const [name, folder] of sorted) {
      labels.fill(classNames.indexOf(name), stack.count - start, stack.count - start + folder.images.length);
      await readClass(tree, folder, stack, options, total);
    }
    ranges.push({ split, start, labels });
  }
  if (stack.mixedSizes) warnings.push(`${stack.mixedSizes} (choose another size with the image size option)`);

  const datasets: Record<string, ImageDataset> = {};
  for (const { split, start, labels } of ranges) {
    const { images, height, width, channels } = stack.take(start, start + labels.length);
    datasets[split] = {
      name: `${baseLabel(tree.label)} (${split})`,
      images,
      labels,
      count: labels.length,
      height,
      width,
      channels,
      classNames: [...classNames],
    };
  }
  return { format: 'image-folder', splits: datasets, classNames, warnings };
}

async function readClass(tree: FileTree, folder: ClassFolder, stack: ImageStack, options: OpenOptions, total: number): Promise<void> {
  for (const path of folder.images) {
    options.signal?.throwIfAborted();
    stack.add(decodeImage(await tree.read(path), path), path);
    if (stack.count % 64 === 0 || stack.count === total) options.onProgress?.(stack.count / total, `Decoding ${path}`);
  }
}

function missingClassWarnings(splits: Map<string, Map<string, ClassFolder>>, classNames: string[]): string[] {
  const warnings: string[] = [];
  for (const [split, classes] of splits) {
    const missing = classNames.filter((name) => !classes.has(name));
    if (missing.length > 0) warnings.push(`${split} has no folder for class${missing.length === 1 ? '' : 'es'} ${missing.join(', ')}`);
  }
  return warnings;
}

function baseLabel(label: string): string {
  return (
    label
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .pop() || label
  );
}
