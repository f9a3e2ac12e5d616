import type { FileEntry, FileTree } from '../file-tree.js';
import type { DatasetFormat, LoadedDataset, OpenOptions } from './dataset-format.js';

const FORMATS: DatasetFormat[] = [];

/** Adds a format; the first registered that matches wins, so register specific formats first. */
export function registerDatasetFormat(format: DatasetFormat): void {
  if (!FORMATS.some((f) => f.id === format.id)) FORMATS.push(format);
}

export function listDatasetFormats(): readonly DatasetFormat[] {
  return FORMATS;
}

export class DatasetNotRecognisedError extends Error {
  override name = 'DatasetNotRecognisedError';
}

export function detectDatasetFormat(label: string, files: readonly FileEntry[]): DatasetFormat {
  const format = FORMATS.find((f) => f.match(files));
  if (format) return format;
  throw new DatasetNotRecognisedError(
    `${label}: not a data set Pruneflow recognises. Found ${describeFiles(files)}. Expected one of:\n` +
      FORMATS.map((f) => `  - ${f.label}: ${f.expects}`).join('\n'),
  );
}

export async function openDataset(tree: FileTree, options?: OpenOptions): Promise<LoadedDataset> {
  const format = detectDatasetFormat(tree.label, await tree.list());
  const loaded = await format.open(tree, options);
  return { ...loaded, format: format.label, imageKind: format.imageKind };
}

/** "12 files: 6 .bin, 1 .txt, ..." or "no files". */
function describeFiles(files: readonly FileEntry[]): string {
  if (files.length === 0) return 'no files';
  const byExtension = new Map<string, number>();
  for (const { path } of files) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 ? name.slice(dot) : '(no extension)';
    byExtension.set(extension, (byExtension.get(extension) ?? 0) + 1);
  }
  const parts = [...byExtension]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([ext, n]) => `${n} ${ext}`);
  const sample = files
    .slice(0, 4)
    .map((f) => f.path)
    .join(', ');
  return `${files.length} file${files.length === 1 ? '' : 's'} (${parts.join(', ')}; e.g. ${sample})`;
}
