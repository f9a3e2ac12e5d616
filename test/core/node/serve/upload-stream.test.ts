import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_FILES_TOKEN_HEADER } from '../../../../core/api/host-files-protocol.js';
import { nodeHostFiles } from '../../../../core/node/node-host-files.js';
import { hostFilesEndpoint } from '../../../../core/node/serve/host-files-endpoint.js';
import { policyWriter } from '../../../../core/node/write-target.js';

// Uploads to `serve`'s file endpoint go to disk as they arrive (a temporary file beside the target, renamed
// when whole): the real endpoint, the page's write policy and this machine's file system, over real HTTP.
const TOKEN = 'upload-test-token';
const LIMIT = 1024 * 1024;
let server: Server;
let port: number;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'pruneflow-upload-'));
  const writes = policyWriter('page');
  const endpoint = hostFilesEndpoint({
    token: TOKEN,
    acceptsHost: () => true,
    files: nodeHostFiles,
    checkWrite: (path) => writes.checkWrite(path, 'file'),
    writeStream: writes.writeStream,
    maxWriteBytes: LIMIT,
  });
  server = createServer(endpoint);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => server?.close());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const leftovers = () => readdirSync(folder).filter((name) => name.includes('.partial-'));

/**
 * A chunked upload over a raw socket, one 64 KiB chunk at a time, stopping early when the server answers or
 * after `abortAfter` bytes (the socket then destroyed, as a closed tab would). Says what was sent and answered.
 */
function upload(
  path: string,
  body: Uint8Array,
  { abortAfter = Infinity, midway }: { abortAfter?: number; midway?: () => Promise<void> } = {},
): Promise<{ sent: number; answer: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      resolve({ sent, answer });
    };
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.on('connect', async () => {
      socket.write(
        [
          `POST /host-files/write?path=${encodeURIComponent(path)} HTTP/1.1`,
          'Host: 127.0.0.1',
          `${HOST_FILES_TOKEN_HEADER}: ${TOKEN}`,
          'Transfer-Encoding: chunked',
          '',
          '',
        ].join('\r\n'),
      );
      for (let at = 0; at < body.length && answer === '' && !socket.destroyed; at += 65536) {
        if (sent >= abortAfter) return void socket.destroy();
        if (midway && at === Math.floor(body.length / 2 / 65536) * 65536) await midway();
        const chunk = body.subarray(at, at + 65536);
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write('\r\n');
        sent += chunk.length;
        // Give the server time to read (and answer) before the next chunk.
        await new Promise((r) => setTimeout(r, 5));
      }
      if (answer === '' && !socket.destroyed) socket.write('0\r\n\r\n');
    });
  });
}

describe('uploads to serve are streamed to disk', () => {
  it('writes a normal upload whole, with no temporary file left', async () => {
    const body = randomBytes(LIMIT - 1000);
    const target = join(folder, 'normal.pruneflow');
    // Halfway, what came so far is on disk already (in the temporary file), not held in memory.
    const onDisk = async () => {
      const partial = () => leftovers().map((name) => statSync(join(folder, name)).size)[0] ?? 0;
      await expect.poll(partial).toBeGreaterThanOrEqual(Math.floor(body.length / 2 / 65536) * 65536);
    };
    const { answer } = await upload(target, body, { midway: onDisk });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(sha(readFileSync(target))).toBe(sha(body));
    expect(leftovers()).toEqual([]);
  });

  it('refuses an upload as soon as it passes the size limit, keeping the file that was there', async () => {
    const target = join(folder, 'kept.pruneflow');
    const previous = randomBytes(5000);
    writeFileSync(target, previous);
    const body = randomBytes(4 * LIMIT);
    const { sent, answer } = await upload(target, body);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('BodyTooLargeError');
    // Answered mid-stream: the rest of the body was never sent.
    expect(sent).toBeLessThan(body.length);
    expect(sha(readFileSync(target))).toBe(sha(previous));
    expect(leftovers()).toEqual([]);
  });

  it('removes the partial file of an upload whose client goes away', async () => {
    const target = join(folder, 'aborted.pruneflow');
    const { sent } = await upload(target, randomBytes(LIMIT - 1000), { abortAfter: 256 * 1024 });
    expect(sent).toBeGreaterThanOrEqual(256 * 1024);
    // The server notices the closed connection on its own time.
    await expect.poll(() => leftovers()).toEqual([]);
    expect(readdirSync(folder)).not.toContain('aborted.pruneflow');
  });
});
