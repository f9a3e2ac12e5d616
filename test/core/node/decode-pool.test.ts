// Streamed image folders decode on worker threads: the records are those the caller's own thread makes, a
// broken file's error keeps its name, and a whole streamed folder reads the same through the pool.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../../core/data/dataset-errors.js';
import { openDataset } from '../../../core/data/formats/index.js';
import { decodeRecord, type ImageDecoder } from '../../../core/data/streaming/decode-record.js';
import { heldInMemory } from '../../../core/data/streaming/read-batch.js';
import { decodeWorkerUrl, nodeDecodePool } from '../../../core/node/decode-pool.js';
import { openDataSource } from '../../../core/node/open-data-source.js';
import { buildNodeIfStale } from '../../build/run.js';

function jpg(width: number, height: number, seed: number): Uint8Array {
  const data = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * seed * 13) % 256));
  return new Uint8Array(jpeg.encode({ width, height, data }, 90).data);
}
const greyPng = (size: number) =>
  encodePng({ width: size, height: size, channels: 1, depth: 8, data: Uint8Array.from({ length: size * size }, (_, i) => i % 256) });

let pool: ImageDecoder;
let folder: string;
beforeAll(async () => {
  await buildNodeIfStale(decodeWorkerUrl());
  pool = nodeDecodePool({ threads: 2 });
  folder = mkdtempSync(join(tmpdir(), 'pruneflow-decode-pool-'));
  for (const [c, name] of ['a', 'b'].entries()) {
    mkdirSync(join(folder, name));
    for (let n = 0; n < 12; n++) writeFileSync(join(folder, name, `${n}.jpg`), jpg(20, 12, 1 + n + c * 12));
  }
});
afterAll(async () => {
  await pool.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('decoding on worker threads', () => {
  it.each([
    { file: 'a JPEG shrunk to 10x6', bytes: jpg(20, 12, 3), shape: { height: 6, width: 10, channels: 3 } },
    { file: 'a JPEG enlarged to grey 24x24', bytes: jpg(20, 12, 5), shape: { height: 24, width: 24, channels: 1 } },
    { file: 'a grey PNG as colour', bytes: greyPng(9), shape: { height: 9, width: 9, channels: 3 } },
  ])('$file: the record this thread would make', async ({ bytes, shape }) => {
    const here = decodeRecord(bytes.slice(), 'x', shape);
    const there = await pool.decode(bytes.slice(), 'x', shape);
    expect(there.length).toBe(shape.height * shape.width * shape.channels);
    expect(Array.from(there)).toEqual(Array.from(here));
  });

  it("a broken file's error keeps its name and path", async () => {
    const error = await pool.decode(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9), 'cats/7.jpg', { height: 4, width: 4, channels: 3 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe(DatasetFormatError.name);
    expect((error as Error).message).toMatch(/cats\/7\.jpg/);
  });

  it('a streamed folder read through the pool equals the folder read into memory', async () => {
    const held = (await openDataset(await openDataSource(folder))).splits.all;
    const { all } = (await openDataset(await openDataSource(folder), { stream: { budget: 5 * 20 * 12 * 3, decoder: pool } })).splits;
    expect(all.stream).toBeDefined();
    expect(Array.from((await heldInMemory(all)).images)).toEqual(Array.from(held.images));
    expect(all.stream!.usage.peak).toBeLessThanOrEqual(5 * 20 * 12 * 3);
  });
});
