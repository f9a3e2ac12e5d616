import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { isArchiveName, openArchiveTree } from '../../../core/data/archive/index.js';
import { cifar10Binary } from '../../../core/data/formats/cifar-binary.js';
import { cifar10Python } from '../../../core/data/formats/cifar-python.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/cifar/', import.meta.url));
/** Real CIFAR-10 records in the official binary layout (see its PROVENANCE.txt). */
const EXCERPT = join(FIXTURES, 'cifar-10-batches-bin');
const formatsTgz = new Uint8Array(readFileSync(join(FIXTURES, 'archives/formats.tar.gz')));
const formatsTar = gunzipSync(formatsTgz);
const temp = mkdtempSync(join(tmpdir(), 'pruneflow-archive-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Archives a folder with the system's GNU tar, as a user would. */
function tar(flags: string, folder: string, name: string): Uint8Array {
  const out = join(temp, name);
  execFileSync('tar', [flags, out, '-C', join(folder, '..'), folder.replace(/\/$/, '').split('/').pop() as string]);
  return new Uint8Array(readFileSync(out));
}

function patched(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const copy = bytes.slice();
  copy.set(values, at);
  return copy;
}

describe('archives', () => {
  it('reads ustar prefixes, GNU long names and pax paths (made by Python tarfile)', async () => {
    const tree = openArchiveTree('formats.tar.gz', formatsTgz);
    const files = await tree.list();
    const long = `${'a'.repeat(60)}/${'b'.repeat(60)}/ustar.bin`;
    const pax = `pax-\u00e9t\u00e9/${'p'.repeat(110)}.bin`;
    expect(files.map((f) => f.path)).toEqual([long, `${'g'.repeat(120)}.bin`, pax]);
    expect(new TextDecoder().decode(await tree.read(long))).toBe('ustar');
    expect(new TextDecoder().decode(await tree.read(pax))).toBe('pax path');
  });

  it('opens a tar.gz of real CIFAR-10 binary batches with the same counts as the folder', async () => {
    const bytes = tar('czf', EXCERPT, 'cifar-10-binary.tar.gz');
    const tree = openArchiveTree('cifar-10-binary.tar.gz', bytes);
    const loaded = await cifar10Binary.open(tree);
    expect((await tree.list()).map((f) => f.path)).toContain('cifar-10-batches-bin/data_batch_1.bin');
    expect([loaded.splits.train.count, loaded.splits.test.count, loaded.warnings]).toEqual([200, 100, []]);
    const raw = new Uint8Array(readFileSync(join(EXCERPT, 'data_batch_1.bin')));
    expect([loaded.splits.train.labels[0], loaded.splits.train.images[2]]).toEqual([raw[0], raw[1 + 2048]]);
  });

  it('opens a plain tar of the Python version', async () => {
    const tree = openArchiveTree('py.tar', tar('cf', join(FIXTURES, 'cifar-10-batches-py'), 'py.tar'));
    const loaded = await cifar10Python.open(tree);
    expect([loaded.splits.train.count, loaded.splits.test.count]).toEqual([5, 2]);
  });

  it.each([
    { file: 'cifar-10-binary.tar.gz', expect: true },
    { file: 'x.TGZ', expect: true },
    { file: 'a.tar', expect: true },
    { file: 'train-images-idx3-ubyte.gz', expect: false },
    { file: 'data_batch_1.bin', expect: false },
  ])('isArchiveName($file) is $expect', ({ file, expect: archive }) => {
    expect(isArchiveName(file)).toBe(archive);
  });

  // formatsTar: ustar header at 0, data 512; GNU 'L' header 1024, name 1536, header 2048, data 2560; pax from 3072.
  const trailer = formatsTgz.length - 8;
  it.each([
    {
      name: 'a bad header checksum',
      bytes: patched(formatsTar, 1030, [0x41]),
      error: /x.tar: corrupt tar header: the header at byte 1024 has checksum '\d+', expected \d+/,
    },
    { name: 'a non-octal size', bytes: fixSum(patched(formatsTar, 124, [0x39])), error: /x.tar: corrupt tar header at byte 0: size field '9\d+' is not octal/ },
    { name: 'not a tar', bytes: new Uint8Array(1024).fill(7), error: /x.tar: not a tar archive, or a corrupt one: the header at byte 0/ },
    { name: 'a cut header', bytes: formatsTar.subarray(0, 1100), error: /x.tar: truncated tar archive: the header at byte 1024 has only 76 of 512 bytes/ },
    {
      name: 'cut data',
      bytes: formatsTar.subarray(0, 2565),
      error: /x.tar: truncated tar archive: 'g{120}.bin' \(header at byte 2048\) has 13 bytes but only 5 remain/,
    },
    {
      name: 'cut padding',
      bytes: formatsTar.subarray(0, 600),
      error: /x.tar: truncated tar archive: it ends at byte 600, inside the padding of '.*ustar.bin' \(header at byte 0\)/,
    },
    { name: 'an empty file', bytes: new Uint8Array(0), error: /x.tar: the archive is empty/ },
    { name: 'corrupt gzip', bytes: patched(formatsTgz, 12, [0xff, 0xff, 0xff]), error: /x.tar: corrupt gzip data in compressed bytes 0..\d+ \(.+\)/ },
    {
      name: 'a truncated gzip',
      bytes: gzipSync(formatsTar).subarray(0, 100),
      error: /x.tar: corrupt gzip data at byte 100, where the file ends early \(truncated\?\)/,
    },
    {
      name: 'a wrong CRC',
      bytes: patched(formatsTgz, trailer, [0, 0, 0, 0]),
      error: /x.tar: corrupt gzip data: CRC-32 0x[0-9a-f]{8} of the inflated data differs from 0x00000000 in the trailer at byte \d+/,
    },
    {
      name: 'a wrong length',
      bytes: patched(formatsTgz, trailer + 4, [1, 0, 0, 0]),
      error: /x.tar: corrupt gzip data: the trailer at byte \d+ says 1 bytes, but more came out/,
    },
    {
      name: 'a short stream',
      bytes: patched(formatsTgz, trailer + 4, [0, 0x20, 0, 0]),
      error: /x.tar: corrupt gzip data: the trailer at byte \d+ says 8192 bytes, but 6144 came out/,
    },
    {
      name: 'a bad tar inside gzip',
      bytes: gzipSync(patched(formatsTar, 1030, [0x41])),
      error: /x.tar \(inflated tar\): corrupt tar header: the header at byte 1024/,
    },
  ])('refuses $name and says where', ({ bytes, error }) => {
    expect(() => openArchiveTree('x.tar', bytes)).toThrow(error);
  });
});

/** Rewrites the first header's checksum so that only the field under test is wrong. */
function fixSum(tar: Uint8Array): Uint8Array {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : tar[i];
  tar.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return tar;
}
