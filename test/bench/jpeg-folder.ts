// The streaming benchmark's generated image folder: 50,000 JPEGs of 224x224 in 10 class folders (train/ only),
// written once into .cache/ by test/bench/make_jpeg_folder.py (Pillow: jpeg-js takes half a second per file) and reused.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { referencePython } from '../interop/python.js';
import { ROOT } from './paths.js';

export const JPEG_FOLDER = join(ROOT, '.cache/data-stream/jpegs-224');
export const JPEG_COUNT = 50_000;
export const JPEG_SIZE = 224;
export const JPEG_CLASSES = 10;

/** Whether every file is there (counted, not trusted from a marker). */
export function jpegFolderComplete(): boolean {
  let count = 0;
  for (let c = 0; c < JPEG_CLASSES; c++) {
    const folder = join(JPEG_FOLDER, 'train', `class${c}`);
    if (existsSync(folder)) count += readdirSync(folder).filter((f) => f.endsWith('.jpg')).length;
  }
  return count === JPEG_COUNT;
}

/** Writes the files that are missing (minutes the first time). */
export function ensureJpegFolder(): void {
  if (jpegFolderComplete()) return;
  console.log(`writing ${JPEG_COUNT} JPEGs into ${JPEG_FOLDER} (once)`);
  const args = ['test/bench/make_jpeg_folder.py', JPEG_FOLDER, String(JPEG_COUNT), String(JPEG_SIZE), String(JPEG_CLASSES)];
  execFileSync(referencePython(), args, { cwd: ROOT, stdio: 'inherit' });
  if (!jpegFolderComplete()) throw new Error(`${JPEG_FOLDER} is still incomplete`);
}
