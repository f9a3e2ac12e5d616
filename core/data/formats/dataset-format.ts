import type { FileEntry, FileTree } from '../file-tree.js';
import type { ImageDataset } from '../image-dataset.js';
import type { ImageDecoder } from '../streaming/decode-record.js';
import type { ResidentMemory } from '../streaming/memory-budget.js';

/** One data-set format: recognises its files and opens them. One module per format. */
export interface DatasetFormat {
  id: string;
  label: string;
  /** What this format's files look like, for "expected ..." messages. */
  expects: string;
  /** Natural photos get random crops and flips by default; digits and glyphs none (a mirrored 3 is no 3). */
  imageKind: ImageKind;
  /** Whether `files` hold this format. Cheap: looks at names and sizes only. */
  match(files: readonly FileEntry[]): boolean;
  open(tree: FileTree, options?: OpenOptions): Promise<LoadedDataset>;
}

export interface OpenOptions {
  signal?: AbortSignal;
  /** Progress of long reads, 0..1. */
  onProgress?: (fraction: number, message: string) => void;
  /** Target image size for formats of variable size (image folders). */
  imageSize?: { height: number; width: number };
  /**
   * Image folders whose decoded images would take more than `budget` bytes stream them from their files,
   * decoded by `decoder`, with a cache of at most `budget` bytes (absent: every image is decoded and held).
   * With `residentMemory`, `budget` is the whole process's: what it holds as the folder opens, and a margin,
   * come off the images' share (core/data/streaming/memory-budget.ts).
   */
  stream?: { budget: number; decoder: ImageDecoder; residentMemory?: ResidentMemory };
}

export type ImageKind = 'natural' | 'digits';

export interface LoadedDataset {
  format: string;
  /** Set by `openDataset` from the format. */
  imageKind?: ImageKind;
  /** The splits the files hold, by name ('train', 'test', 'extra'); at least one. */
  splits: Record<string, ImageDataset>;
  classNames: string[];
  /** Things a user should know that do not stop loading (e.g. a missing label-name file). */
  warnings: string[];
}
