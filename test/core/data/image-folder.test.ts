import { encode as encodePng, type ImageData } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../../core/data/dataset-errors.js';
import { memoryTree } from '../../../core/data/file-tree.js';
import { imageFolder } from '../../../core/data/formats/image-folder.js';
import { decodeImage } from '../../../core/data/image-decode.js';

/** A PNG whose sample i is (i * step) mod 256 (or mod 65536 at 16 bits), unless data is given. */
function png(width: number, height: number, channels: number, extra: Partial<ImageData> = {}): Uint8Array {
  const data = extra.data ?? Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 17) % 256);
  return encodePng({ width, height, channels, depth: 8, ...extra, data });
}
function jpg(width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...rgb(x, y), 255], (y * width + x) * 4);
  return new Uint8Array(jpeg.encode({ width, height, data }, 95).data);
}
const tree = (files: Record<string, Uint8Array>, label = '/data/pets') => memoryTree(label, new Map(Object.entries(files)));
const text = (s: string) => new TextEncoder().encode(s);

describe('decoding PNG and JPEG to grey or RGB', () => {
  it.each([
    { file: 'grey 8-bit', bytes: png(2, 1, 1, { data: Uint8Array.of(0, 200) }), expect: { channels: 1, data: [0, 200] } },
    { file: 'grey + alpha', bytes: png(2, 1, 2, { data: Uint8Array.of(10, 0, 20, 255) }), expect: { channels: 1, data: [10, 20] } },
    { file: 'grey 16-bit', bytes: png(2, 1, 1, { depth: 16, data: Uint16Array.of(65535, 257 * 100) }), expect: { channels: 1, data: [255, 100] } },
    { file: 'grey 1-bit', bytes: png(3, 1, 1, { depth: 1, data: Uint8Array.of(0b10100000) }), expect: { channels: 1, data: [255, 0, 255] } },
    { file: 'RGB', bytes: png(2, 1, 3, { data: Uint8Array.of(1, 2, 3, 4, 5, 6) }), expect: { channels: 3, data: [1, 2, 3, 4, 5, 6] } },
    { file: 'RGBA, alpha dropped', bytes: png(2, 1, 4, { data: Uint8Array.of(1, 2, 3, 0, 4, 5, 6, 9) }), expect: { channels: 3, data: [1, 2, 3, 4, 5, 6] } },
    { file: 'RGB that is all grey', bytes: png(2, 1, 3, { data: Uint8Array.of(7, 7, 7, 9, 9, 9) }), expect: { channels: 1, data: [7, 9] } },
    { file: 'RGBA 16-bit', bytes: png(1, 1, 4, { depth: 16, data: Uint16Array.of(65535, 0, 257 * 3, 0) }), expect: { channels: 3, data: [255, 0, 3] } },
    {
      file: 'palette',
      bytes: png(3, 1, 1, {
        depth: 8,
        palette: [
          [255, 0, 0],
          [0, 0, 255],
        ],
        data: Uint8Array.of(0, 1, 0),
      }),
      expect: { channels: 3, data: [255, 0, 0, 0, 0, 255, 255, 0, 0] },
    },
    {
      file: 'palette 2-bit with transparency',
      bytes: png(2, 1, 1, {
        depth: 2,
        palette: [
          [9, 9, 9, 0],
          [30, 40, 50, 255],
        ],
        data: Uint8Array.of(0b00010000),
      }),
      expect: { channels: 3, data: [9, 9, 9, 30, 40, 50] },
    },
    { file: 'grey JPEG', bytes: jpg(8, 8, () => [90, 90, 90]), expect: { channels: 1, data: new Array(64).fill(90) } },
  ])('$file', ({ bytes, expect: want }) => {
    const image = decodeImage(bytes, 'x.png');
    expect(image.channels).toBe(want.channels);
    expect([...image.data]).toEqual(want.data);
  });

  it('decodes a colour JPEG close to what was encoded', () => {
    const image = decodeImage(
      jpg(16, 16, () => [200, 40, 90]),
      'x.jpg',
    );
    expect([image.width, image.height, image.channels]).toEqual([16, 16, 3]);
    for (const [i, v] of [200, 40, 90].entries()) expect(Math.abs(image.data[3 * 37 + i] - v)).toBeLessThan(6);
  });

  const good = png(4, 4, 3);
  it.each([
    { file: 'text named .png', bytes: text('hello'), error: /x.png: not a PNG or JPEG image/ },
    { file: 'PNG cut short', bytes: good.subarray(0, 40), error: /x.png: does not decode as PNG: / },
    { file: 'PNG with a bad chunk CRC', bytes: Uint8Array.from(good, (b, i) => (i === 30 ? b ^ 0xff : b)), error: /x.png: does not decode as PNG: .*CRC/i },
    { file: 'JPEG with garbage after SOI', bytes: Uint8Array.of(0xff, 0xd8, 0xff, 0x01, 0, 0, 0, 0), error: /x.png: does not decode as JPEG: / },
  ])("names the file and the decoder's reason: $file", ({ bytes, error }) => {
    expect(() => decodeImage(bytes, 'x.png')).toThrow(error);
    expect(() => decodeImage(bytes, 'x.png')).toThrow(DatasetFormatError);
  });
});

describe('image folders', () => {
  it('reads class folders into one "all" split, colour if any image has colour', async () => {
    const files = tree({
      'cat/1.png': png(4, 4, 1, { data: new Uint8Array(16).fill(50) }),
      'cat/2.png': png(4, 4, 4),
      'dog/3.jpg': jpg(4, 4, () => [250, 10, 10]),
      'dog/.DS_Store': text('x'),
      '.hidden/9.png': png(4, 4, 3),
      'README.txt': text('about'),
      'dog/notes.md': text('notes'),
    });
    expect(imageFolder.match(await files.list())).toBe(true);
    const loaded = await imageFolder.open(files);
    expect(loaded.classNames).toEqual(['cat', 'dog']);
    const all = loaded.splits.all;
    expect(Object.keys(loaded.splits)).toEqual(['all']);
    expect([all.count, all.height, all.width, all.channels, [...all.labels]]).toEqual([3, 4, 4, 3, [0, 0, 1]]);
    expect([...all.images.subarray(0, 6)]).toEqual([50, 50, 50, 50, 50, 50]); // grey expanded to RGB
    expect([...all.images.subarray(48, 54)]).toEqual([0, 17, 34, 68, 85, 102]); // RGBA without alpha
    expect(all.images[96]).toBeGreaterThan(240);
    expect(loaded.warnings).toEqual(['ignored 2 files that are not PNG or JPEG images in class folders (e.g. README.txt, dog/notes.md)']);
  });

  it('finds train/ and test/ below a common folder and keeps grey images grey', async () => {
    const grey = png(3, 2, 1);
    const loaded = await imageFolder.open(
      tree({
        'mnist-png/train/0/a.png': grey,
        'mnist-png/train/1/b.png': grey,
        'mnist-png/train/1/c.png': grey,
        'mnist-png/test/0/d.png': grey,
        'mnist-png/test/1/e.png': grey,
      }),
    );
    expect(Object.keys(loaded.splits).sort()).toEqual(['test', 'train']);
    expect(loaded.classNames).toEqual(['0', '1']);
    const { train, test } = loaded.splits;
    expect([train.count, train.height, train.width, train.channels, [...train.labels]]).toEqual([3, 2, 3, 1, [0, 1, 1]]);
    expect([...test.labels]).toEqual([0, 1]);
    expect([...train.images.subarray(0, 6)]).toEqual([0, 17, 34, 51, 68, 85]);
    expect(test.name).toBe('pets (test)');
  });

  it('resizes mixed sizes to 32x32 with a warning, or to the size asked for', async () => {
    const files = tree({ 'a/1.png': png(4, 4, 3), 'a/2.png': png(8, 6, 3), 'b/3.jpg': jpg(5, 7, () => [1, 2, 3]) });
    const mixed = await imageFolder.open(files);
    expect([mixed.splits.all.height, mixed.splits.all.width, mixed.splits.all.images.length]).toEqual([32, 32, 3 * 32 * 32 * 3]);
    expect(mixed.warnings).toEqual([expect.stringMatching(/^mixed sizes \(a\/1.png is 4x4, a\/2.png is 8x6\): all images resized to 32x32/)]);
    const sized = await imageFolder.open(files, { imageSize: { height: 10, width: 12 } });
    expect([sized.splits.all.height, sized.splits.all.width, sized.warnings]).toEqual([10, 12, []]);
  });

  it.each<{ file: string; files: Record<string, Uint8Array>; error: RegExp }>([
    { file: 'corrupt image', files: { 'cat/1.png': png(2, 2, 3), 'cat/2.png': png(2, 2, 3).subarray(0, 30) }, error: /cat\/2.png: does not decode as PNG/ },
    {
      file: 'empty class folder',
      files: { 'cat/1.png': png(2, 2, 3), 'dog/.gitkeep': new Uint8Array(0) },
      error: /^dog: this class folder holds no PNG or JPEG images/,
    },
    {
      file: 'class folder of text',
      files: { 'set/cat/1.png': png(2, 2, 3), 'set/dog/a.txt': text('a') },
      error: /^set\/dog: this class folder holds no PNG or JPEG images/,
    },
  ])('names the file and the fault: $file', async ({ files, error }) => {
    await expect(imageFolder.open(tree(files))).rejects.toThrow(error);
  });

  it('reports progress and stops when aborted', async () => {
    const files = tree({ 'a/1.png': png(2, 2, 3), 'b/2.png': png(2, 2, 3) });
    const fractions: number[] = [];
    await imageFolder.open(files, { onProgress: (f) => fractions.push(f) });
    expect(fractions.at(-1)).toBe(1);
    await expect(imageFolder.open(files, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });

  it('says when there are no images at all, and does not match then', async () => {
    const files = tree({ 'a.png': png(2, 2, 3), 'docs/readme.txt': text('x') });
    expect(imageFolder.match(await files.list())).toBe(false);
    await expect(imageFolder.open(files)).rejects.toThrow(/^\/data\/pets: no PNG or JPEG images in class sub-folders/);
  });
});
