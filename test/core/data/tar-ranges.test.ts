// A plain .tar larger than the whole-archive limit is indexed header by header and read member by member from disk:
// the same files, bytes and errors as the archive read whole, and an image folder inside it streams like a folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { openArchiveTree } from '../../../core/data/archive/index.js';
import { openDataset } from '../../../core/data/formats/index.js';
import { openDataTree, type HostFiles } from '../../../core/data/host-files.js';
import { inlineDecoder } from '../../../core/data/streaming/decode-record.js';
import { heldInMemory } from '../../../core/data/streaming/read-batch.js';
import { nodeHostFiles } from '../../../core/node/node-host-files.js';
import { writeJpegFolder } from './streaming/stream-fixtures.js';

const formatsTar = gunzipSync(new Uint8Array(readFileSync(fileURLToPath(new URL('../../fixtures/cifar/archives/formats.tar.gz', import.meta.url)))));
const temp = mkdtempSync(join(tmpdir(), 'pruneflow-tar-ranges-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The host's files, counting whole-file reads of the archive (there must be none). */
const wholeReads: string[] = [];
const files: HostFiles = { ...nodeHostFiles, read: (path) => (path.endsWith('.tar') && wholeReads.push(path), nodeHostFiles.read(path)) };
const byRanges = (path: string) => openDataTree(files, path, 0);

function written(name: string, bytes: Uint8Array): string {
  const path = join(temp, name);
  writeFileSync(path, bytes);
  return path;
}

describe('a large plain tar read by ranges', () => {
  it('lists the same files (ustar prefixes, GNU long names, pax paths) with the same bytes as the archive read whole', async () => {
    const whole = openArchiveTree('formats.tar', formatsTar);
    const ranged = await byRanges(written('formats.tar', formatsTar));
    expect(await ranged.list()).toEqual(await whole.list());
    for (const { path } of await whole.list()) expect(await ranged.read(path)).toEqual(await whole.read(path));
    expect(wholeReads).toEqual([]);
  });

  it.each([
    { name: 'a bad header checksum', at: 1030, cut: formatsTar.length, error: /x1.tar: corrupt tar header: the header at byte 1024 has checksum/ },
    { name: 'a cut header', at: undefined, cut: 1100, error: /x2.tar: truncated tar archive: the header at byte 1024 has only 76 of 512 bytes/ },
    { name: 'cut data', at: undefined, cut: 2565, error: /x3.tar: truncated tar archive: 'g{120}.bin' \(header at byte 2048\) has 13 bytes but only 5 remain/ },
    {
      name: 'cut padding',
      at: undefined,
      cut: 600,
      error: /x4.tar: truncated tar archive: it ends at byte 600, inside the padding of '.*ustar.bin' \(header at byte 0\)/,
    },
  ])("refuses $name with the whole-archive reader's message", async ({ at, cut, error }) => {
    const bytes = formatsTar.slice(0, cut);
    if (at !== undefined) bytes[at] = 0x41;
    const name = String(error).match(/x\d\.tar/)![0];
    expect(() => openArchiveTree(name, bytes)).toThrow(error);
    await expect(byRanges(written(name, bytes))).rejects.toThrow(error);
  });

  it('streams an image folder inside it: the same images as the folder opened in memory', async () => {
    const folder = join(temp, 'pets');
    writeJpegFolder(folder, ['cat', 'dog'], 9, 6, 12);
    execFileSync('tar', ['cf', join(temp, 'pets.tar'), '-C', temp, 'pets']);
    const held = (await openDataset(await openDataTree(nodeHostFiles, folder))).splits;
    const budget = 4 * 12 * 12 * 3;
    const { splits, warnings } = await openDataset(await byRanges(join(temp, 'pets.tar')), { stream: { budget, decoder: inlineDecoder() } });
    expect(warnings.join(' ')).toMatch(/streamed from disk: 18 images/);
    for (const split of ['train', 'test']) {
      expect(Array.from(splits[split].labels)).toEqual(Array.from(held[split].labels));
      expect(Array.from((await heldInMemory(splits[split])).images)).toEqual(Array.from(held[split].images));
    }
    expect(splits.train.stream!.usage.peak).toBeLessThanOrEqual(budget);
    expect(wholeReads).toEqual([]);
  });
});
