import { copyFile, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeFilesAtomically } from '../../core/node/write-files.js';
import { cifarSubsetPath, fashionMnistPath, type QualityBudget, type QualityDataset } from './quality-config.js';

const CIFAR_RECORD_BYTES = 3073;
const IDX_IMAGES_MAGIC = 0x803;
const IDX_LABELS_MAGIC = 0x801;

export class QualityDataError extends Error {
  override name = 'QualityDataError';
}

/** The folders the benchmark reads: one to train the baseline on, one every pruning run fine-tunes on. */
export interface QualityData {
  baseline: string;
  fineTune: string;
}

/**
 * Writes (or names) the data folders of `dataset`. Both hold the same `testImages` test images; the baseline's holds
 * the first `baseline.images` training images, the fine-tuning one the first `fineTune.images`.
 */
export async function prepareQualityData(dataset: QualityDataset, budget: QualityBudget, scratch: string): Promise<QualityData> {
  if (dataset.format === 'cifar') {
    const source = cifarSubsetPath();
    return { baseline: source, fineTune: await writeFineTuneSubset(source, join(scratch, 'fine-tune'), budget.fineTune.images) };
  }
  // The folder names keep "fashion": the IDX format tells Fashion-MNIST from MNIST by name only.
  const source = fashionMnistPath();
  return {
    baseline: await writeIdxSubset(source, join(scratch, 'fashion-mnist-baseline'), budget.baseline.images, dataset.testImages),
    fineTune: await writeIdxSubset(source, join(scratch, 'fashion-mnist-fine-tune'), budget.fineTune.images, dataset.testImages),
  };
}

/**
 * A CIFAR-10 binary folder holding the first `images` training records and the whole test batch: the
 * fine-tuning set every pruning run of the benchmark reads (runPruning takes a data set by path).
 */
export async function writeFineTuneSubset(source: string, folder: string, images: number): Promise<string> {
  await mkdir(folder, { recursive: true });
  const from = await open(join(source, 'data_batch_1.bin'), 'r');
  try {
    const bytes = new Uint8Array(images * CIFAR_RECORD_BYTES);
    const { bytesRead } = await from.read(bytes, 0, bytes.length, 0);
    await writeFilesAtomically(folder, [{ name: 'data_batch_1.bin', bytes: bytes.subarray(0, bytesRead - (bytesRead % CIFAR_RECORD_BYTES)) }]);
  } finally {
    await from.close();
  }
  for (const name of ['test_batch.bin', 'batches.meta.txt']) await copyFile(join(source, name), join(folder, name));
  return folder;
}

/** Reads an IDX file, gzipped or not, and returns its header's dimensions and its data bytes. */
async function readIdx(path: string, magic: number): Promise<{ dims: number[]; data: Uint8Array }> {
  let bytes: Uint8Array = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0) !== magic) throw new QualityDataError(`${path}: not an IDX file of unsigned bytes with ${magic & 0xff} dimensions`);
  const dims = Array.from({ length: magic & 0xff }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: bytes.subarray(4 + 4 * dims.length) };
}

/** The first `count` items of an IDX file, as the bytes of a new (uncompressed) IDX file. */
function idxHead(file: { dims: number[]; data: Uint8Array }, magic: number, count: number): Uint8Array {
  const n = Math.min(count, file.dims[0]);
  const itemBytes = file.dims.slice(1).reduce((a, b) => a * b, 1);
  const header = 4 + 4 * file.dims.length;
  const out = new Uint8Array(header + n * itemBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  [n, ...file.dims.slice(1)].forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(file.data.subarray(0, n * itemBytes), header);
  return out;
}

/** An MNIST-style folder with the first `trainImages` training and `testImages` test images of `source`. */
export async function writeIdxSubset(source: string, folder: string, trainImages: number, testImages: number): Promise<string> {
  const files = [];
  for (const [split, count] of [
    ['train', trainImages],
    ['t10k', testImages],
  ] as const) {
    const images = await readIdx(join(source, `${split}-images-idx3-ubyte.gz`), IDX_IMAGES_MAGIC);
    const labels = await readIdx(join(source, `${split}-labels-idx1-ubyte.gz`), IDX_LABELS_MAGIC);
    files.push({ name: `${split}-images-idx3-ubyte`, bytes: idxHead(images, IDX_IMAGES_MAGIC, count) });
    files.push({ name: `${split}-labels-idx1-ubyte`, bytes: idxHead(labels, IDX_LABELS_MAGIC, count) });
  }
  await mkdir(folder, { recursive: true });
  await writeFilesAtomically(folder, files);
  return folder;
}
