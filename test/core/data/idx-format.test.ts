import { readFileSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { openIdxDataset } from '../../../core/data/idx-dataset.js';
import { parseIdx } from '../../../core/data/idx-format.js';
import { FASHION_MNIST_CLASSES } from '../../../core/data/builtin-sample.js';

/** An IDX ubyte file: magic 0 0 8 rank, big-endian dims, then the bytes. */
function idx(dims: number[], data: Uint8Array | number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const bytes = new Uint8Array(header.length + data.length);
  bytes.set(header);
  bytes.set(data, header.length);
  return bytes;
}

const images = idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

describe('IDX files', () => {
  it.each([
    { name: 'raw', bytes: images },
    { name: 'gzipped', bytes: gzipSync(images) },
  ])('reads a $name file', ({ bytes }) => {
    const array = parseIdx(bytes, 'x.idx');
    expect(array.dims).toEqual([2, 2, 3]);
    expect([...array.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it.each([
    { name: 'truncated data', bytes: images.subarray(0, images.length - 5), error: /x.idx: truncated: header says 2x2x3.*record 1 is incomplete/ },
    { name: 'truncated header', bytes: images.subarray(0, 9), error: /x.idx: truncated IDX header/ },
    { name: 'wrong magic', bytes: Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 0), error: /x.idx: not an IDX file/ },
    { name: 'float elements', bytes: Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 0), error: /element type 0xd is not unsigned byte/ },
    { name: 'trailing bytes', bytes: idx([1], [1, 2]), error: /1 unexpected bytes after the 1 array/ },
    { name: 'corrupt gzip', bytes: gzipSync(images).subarray(0, 20), error: /x.idx: corrupt gzip data/ },
  ])('names the file and the fault: $name', ({ bytes, error }) => {
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(error);
    try {
      parseIdx(bytes, 'x.idx');
    } catch (e) {
      expect((e as Error).name).toBe('DatasetFormatError');
    }
  });

  it('refuses a label out of range and says which record', () => {
    const labels = idx([2], [3, 12]);
    expect(() => openIdxDataset({ name: 'img', bytes: images }, { name: 'lab', bytes: labels }, 'x', FASHION_MNIST_CLASSES)).toThrow(
      /lab: label 12 of record 1 is out of range 0..9/,
    );
  });

  it('refuses image and label counts that differ', () => {
    expect(() => openIdxDataset({ name: 'img', bytes: images }, { name: 'lab', bytes: idx([3], [1, 2, 3]) }, 'x', FASHION_MNIST_CLASSES)).toThrow(
      /lab: 3 labels for 2 images in img/,
    );
  });

  it('reads real Fashion-MNIST test images (the first 100 of each class, as the app ships them)', () => {
    const sample = new URL('../../../core/assets/fashion-mnist-sample/', import.meta.url);
    const dataset = openIdxDataset(
      { name: 'images', bytes: readFileSync(new URL('t10k-images-idx3-ubyte.gz', sample)) },
      { name: 'labels', bytes: readFileSync(new URL('t10k-labels-idx1-ubyte.gz', sample)) },
      'Fashion-MNIST test',
      FASHION_MNIST_CLASSES,
    );
    expect([dataset.count, dataset.height, dataset.width, dataset.channels]).toEqual([1000, 28, 28, 1]);
    const perClass = new Array(10).fill(0);
    for (const label of dataset.labels) perClass[label]++;
    expect(perClass).toEqual(new Array(10).fill(100));
  });
});
