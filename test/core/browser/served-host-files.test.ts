import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostFileTransportError, servedHostFiles } from '../../../core/browser/served-host-files.js';

// The engine's side of `pruneflow serve`'s /host-files over real HTTP: a named refusal keeps its name,
// and a reply that is no refusal at all (a proxy's 500 page, a stopped server) is a HostFileTransportError.
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url?.startsWith('/host-files/read')) {
      response.writeHead(500, { 'Content-Type': 'text/html' });
      return void response.end('<h1>Internal Server Error</h1>');
    }
    response.writeHead(404, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ name: 'DatasetNotFoundError', message: '/data/x.bin: no such file or folder' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('servedHostFiles', () => {
  it('keeps the name of an error the endpoint answers', async () => {
    await expect(servedHostFiles(origin, 't').list('/data/x.bin')).rejects.toMatchObject({ name: 'DatasetNotFoundError' });
  });

  it("names a reply that is not the endpoint's, with the operation and path", async () => {
    const error = await servedHostFiles(origin, 't')
      .read('/data/a.bin')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostFileTransportError);
    expect(error).toMatchObject({ name: 'HostFileTransportError', message: expect.stringMatching(/^read \/data\/a\.bin: .*HTTP 500/) });
  });

  it('names a server that cannot be reached, with the operation and path', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await servedHostFiles(gone, 't').write!('/out/p.pruneflow', new Uint8Array([1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostFileTransportError);
    expect(error).toMatchObject({ message: expect.stringMatching(/^write \/out\/p\.pruneflow: the server could not be reached/) });
  });
});
