import { encode as encodePng } from 'fast-png';
import { gzipSync, strToU8, zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { afterEach, describe, expect, it } from 'vitest';
import { openZip, ZipFormatError } from '../../../core/data/archive/zip.js';
import { DatasetFormatError } from '../../../core/data/dataset-errors.js';
import { parseIdx } from '../../../core/data/idx-format.js';
import { decodeImage } from '../../../core/data/image-decode.js';
import { DEFAULT_INPUT_LIMITS, InputLimitError, inputLimits, setInputLimits } from '../../../core/data/input-limits.js';

afterEach(() => setInputLimits({}));

/** A zip of `count` empty entries, as the 30,000-entry project of issue 19. */
const manyEntries = (count: number) => zipSync(Object.fromEntries(Array.from({ length: count }, (_, i) => [`e${i}`, new Uint8Array(0)])));

describe('bounded zip reading', () => {
  it('lists without inflating and reads each entry, checked, on demand', () => {
    const zip = openZip(zipSync({ 'a.json': [strToU8('{"a":1}'), { level: 6 }], 'b.bin': [new Uint8Array([1, 2, 3]), { level: 0 }] }), 'x.zip');
    expect(zip.entries).toEqual([
      { name: 'a.json', size: 7 },
      { name: 'b.bin', size: 3 },
    ]);
    expect(new TextDecoder().decode(zip.read('a.json'))).toBe('{"a":1}');
    expect([...zip.read('b.bin')!]).toEqual([1, 2, 3]);
    expect(zip.read('c')).toBeUndefined();
  });

  it('refuses more entries than maxArchiveEntries before reading any, naming the setting', () => {
    setInputLimits({ maxArchiveEntries: 100 });
    expect(() => openZip(manyEntries(101), 'many.zip')).toThrow(InputLimitError);
    expect(() => openZip(manyEntries(101), 'many.zip')).toThrow(/many.zip: the zip lists 101 entries, more than the limit of 100 .*"maxArchiveEntries"/);
    expect(openZip(manyEntries(100), 'many.zip').entries).toHaveLength(100);
  });

  it('reads 30,000 entries in one pass over the directory', () => {
    setInputLimits({ maxArchiveEntries: 30_000 });
    const zip = openZip(manyEntries(30_000), 'many.zip');
    for (const { name } of zip.entries) expect(zip.read(name)!.length).toBe(0);
    expect(zip.entries).toHaveLength(30_000);
  });

  it('stops at maxUnpackedBytes before inflating a bomb, and never inflates past a declared size', () => {
    const zeros = new Uint8Array(8 * 2 ** 20);
    const bomb = zipSync({ 'a.bin': [zeros, { level: 9 }], 'b.bin': [zeros, { level: 9 }] });
    expect(bomb.length).toBeLessThan(100_000);
    setInputLimits({ maxUnpackedBytes: 12 * 2 ** 20 });
    const zip = openZip(bomb, 'bomb.zip');
    expect(zip.read('a.bin')!.length).toBe(zeros.length);
    expect(() => zip.read('b.bin')).toThrow(/bomb.zip: entry 'b.bin' would bring what the zip inflates to 16777216 bytes, more than the limit of 12,582,912/);
    // A directory that understates an entry's size: the inflated data is cut at the declared size and refused.
    const small = zipSync({ 'a.bin': [new Uint8Array(1000).fill(7), { level: 9 }] });
    const view = new DataView(small.buffer);
    const central = small.length - 22 - (46 + 5);
    view.setUint32(central + 24, 10, true);
    expect(() => openZip(small, 's.zip').read('a.bin')).toThrow(/entry 'a.bin': inflates to more than the 10 bytes it declares/);
  });

  it('names a changed byte by CRC-32, a cut file as truncated and other files as no zip', () => {
    const zip = zipSync({ 'a.bin': [new Uint8Array(64).fill(1), { level: 0 }] });
    const changed = zip.slice();
    changed[30 + 5 + 10] ^= 1;
    expect(() => openZip(changed, 'c.zip').read('a.bin')).toThrow(/entry 'a.bin': has CRC-32 0x[0-9a-f]{8}, the directory says/);
    const faults = [
      [zip.subarray(0, zip.length - 10), 'truncated'],
      [strToU8('hello, this is text and no zip at all'), 'not-zip'],
    ] as const;
    for (const [bytes, fault] of faults) {
      const error = (() => {
        try {
          openZip(bytes, 'f.zip');
        } catch (e) {
          return e as ZipFormatError;
        }
      })();
      expect(error).toBeInstanceOf(ZipFormatError);
      expect(error!.fault).toBe(fault);
    }
  });
});

describe('image decoders check the header before allocating', () => {
  /** A valid PNG whose IHDR is edited to claim another size (the CRC fixed): the decoder never sees it. */
  function pngClaiming(width: number, height: number): Uint8Array {
    const png = encodePng({ width: 2, height: 2, data: new Uint8Array(12), channels: 3 });
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    view.setUint32(16, width);
    view.setUint32(20, height);
    view.setUint32(29, crc(png.subarray(12, 29)));
    return png;
  }

  it('refuses a 60000x60000 PNG by its header, naming the limit', () => {
    expect(() => decodeImage(pngClaiming(60000, 60000), 'huge.png')).toThrow(InputLimitError);
    expect(() => decodeImage(pngClaiming(60000, 60000), 'huge.png')).toThrow(
      /huge.png: a PNG of 60000x60000 = 3600000000 pixels, more than the limit of 50,000,000 .*maxImagePixels/,
    );
    expect(inputLimits().maxImagePixels).toBe(DEFAULT_INPUT_LIMITS.maxImagePixels);
  });

  it('refuses a JPEG over the limit by its frame header', () => {
    const data = new Uint8Array(64 * 48 * 4).fill(128);
    const image = new Uint8Array(jpeg.encode({ width: 64, height: 48, data }, 80).data);
    setInputLimits({ maxImagePixels: 64 * 48 - 1 });
    expect(() => decodeImage(image, 'big.jpg')).toThrow(/big.jpg: a JPEG of 64x48 = 3072 pixels, more than the limit of 3,071/);
    setInputLimits({ maxImagePixels: 64 * 48 });
    expect(decodeImage(image, 'big.jpg')).toMatchObject({ width: 64, height: 48 });
  });

  it('names an image without pixels', () => {
    expect(() => decodeImage(pngClaiming(0, 0), 'empty.png')).toThrow(DatasetFormatError);
    expect(() => decodeImage(pngClaiming(0, 5), 'empty.png')).toThrow(/empty.png: an empty PNG image \(0x5 pixels\)/);
  });
});

describe('IDX gzip', () => {
  const labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 4, 3, 1, 4, 1]);

  it('refuses a label changed inside the gzip stream (CRC-32) and a wrong length', () => {
    const gz = gzipSync(labels, { level: 0 });
    expect(parseIdx(gz, 'l.gz').data).toEqual(labels.subarray(8));
    const changed = gz.slice();
    // Stored deflate: the data follows the 10-byte header and the 5-byte stored block header.
    changed[10 + 5 + 9] = 7;
    expect(() => parseIdx(changed, 'l.gz')).toThrow(/l.gz: corrupt gzip data: CRC-32 .* differs from/);
    const length = gz.slice();
    length[length.length - 4] += 1;
    expect(() => parseIdx(length, 'l.gz')).toThrow(/l.gz: corrupt gzip data: the trailer .* says 13 bytes, but 12 came out/);
  });
});

function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
