import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { engineSubprotocols } from '../../../../core/api/socket-protocol.js';
import { type ServeProcess, startServe } from './serve-process.js';

// Hostile bytes against a real `pruneflow serve` process, with and without the token: broken WebSocket
// frames, oversized messages, calls of the wrong shape, broken HTTP. After each the process must still be
// running and answer the next valid call.
let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServe();
});

afterAll(() => serve?.kill());

/** One raw TCP connection: the upgrade request as given, then `frames`; resolves with everything the server sent once it closes. */
function raw(upgrade: string, frames: Buffer[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(serve.url.port), serve.url.hostname);
    let received = Buffer.alloc(0);
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received.toString('latin1'));
    }, 2_000);
    socket.on('connect', () => socket.write(upgrade));
    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      // Frames only after the server's answer to the upgrade.
      if (!sent && received.includes('\r\n\r\n')) {
        sent = true;
        for (const frame of frames) socket.write(frame);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received.toString('latin1'));
    });
    socket.on('timeout', reject);
  });
}

function upgradeRequest({ token, origin = serve.origin, host = serve.url.host }: { token?: string; origin?: string; host?: string }): string {
  return [
    'GET /engine HTTP/1.1',
    `Host: ${host}`,
    `Origin: ${origin}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...(token ? [`Sec-WebSocket-Protocol: ${engineSubprotocols(token).join(', ')}`] : []),
    '',
    '',
  ].join('\r\n');
}

/** A WebSocket frame, by default as a client must send it (FIN, masked). */
function frame(
  opcode: number,
  payload: Buffer,
  { mask = true, fin = true, rsv = 0, declared }: { mask?: boolean; fin?: boolean; rsv?: number; declared?: number } = {},
): Buffer {
  const length = declared ?? payload.length;
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
  }
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = mask ? Buffer.from(payload.map((byte, i) => byte ^ key[i % 4])) : payload;
  return Buffer.concat([Buffer.from(head), extended, mask ? key : Buffer.alloc(0), body]);
}

const text = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

/** A fresh socket as the page opens it answers getInfo: the server is up and serving. */
async function answersNextCall(): Promise<void> {
  expect(serve.exited(), `serve exited:\n${serve.output()}`).toBe(false);
  const socket = new WebSocket(`ws://${serve.url.host}/engine`, engineSubprotocols(serve.token), { headers: { Origin: serve.origin } });
  const reply = await new Promise<unknown>((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'call', id: 1, call: { method: 'getInfo', args: [] } })));
    socket.on('message', (data) => resolve(JSON.parse(String(data))));
    socket.on('error', reject);
  });
  socket.close();
  expect(reply).toMatchObject({ type: 'reply', id: 1, reply: { ok: true, value: { name: 'Pruneflow' } } });
}

const MIB = 1024 * 1024;

describe('pruneflow serve under hostile WebSocket frames', () => {
  const broken: [string, Buffer[]][] = [
    ['an unmasked frame', [frame(1, text('hi'), { mask: false })]],
    ['invalid UTF-8 in a text frame', [frame(1, Buffer.from([0xc3, 0x28, 0xff, 0xfe]))]],
    ['a message over 1 MiB (declared)', [frame(1, text('x'), { declared: 2 * MIB })]],
    ['a 2^63-byte length', [Buffer.concat([Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(4)])]],
    ['a message over 1 MiB in fragments', [frame(1, Buffer.alloc(600 * 1024, 0x61), { fin: false }), frame(0, Buffer.alloc(600 * 1024, 0x61))]],
    ['reserved bits set', [frame(1, text('{}'), { rsv: 7 })]],
    ['a reserved opcode', [frame(3, text('x'))]],
    ['a fragmented ping', [frame(9, text('x'), { fin: false })]],
    ['a continuation with no message', [frame(0, text('x'))]],
    ['a close frame with an invalid code', [frame(8, Buffer.from([0x03, 0xe7]))]],
    ['a control frame over 125 bytes', [frame(9, Buffer.alloc(200))]],
    ['a truncated header', [Buffer.from([0x81])]],
  ];

  it.each(broken)('%s, before the token: refused at the upgrade, the server stays up', async (_name, frames) => {
    const answer = await raw(upgradeRequest({}), frames);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    await answersNextCall();
  });

  it.each(broken)('%s, with the token: that socket alone closes, the server stays up', async (_name, frames) => {
    const answer = await raw(upgradeRequest({ token: serve.token }), frames);
    expect(answer).toMatch(/^HTTP\/1\.1 101 /);
    await answersNextCall();
  });

  it('refuses the upgrade from another host name (DNS rebinding) and another origin, even with the token', async () => {
    expect(await raw(upgradeRequest({ token: serve.token, host: `evil.example:${serve.url.port}` }), [])).toMatch(/^HTTP\/1\.1 403 /);
    expect(await raw(upgradeRequest({ token: serve.token, origin: 'http://evil.example' }), [])).toMatch(/^HTTP\/1\.1 403 /);
    await answersNextCall();
  });

  it('answers calls with wrong types with InvalidCallError and keeps answering', async () => {
    const wrong = [
      { type: 'call', id: 1, call: { method: 'openProject', args: [42] } },
      { type: 'call', id: 2, call: { method: 'writeReport', args: [null, 'x', 'csv', {}] } },
      { type: 'call', id: 3, call: { method: '__proto__', args: [] } },
      { type: 'call', id: 4, call: { method: 'constructor', args: [] } },
      { type: 'call', id: 5, call: { method: 'startPruning', args: [{ export: { path: 7 } }] } },
      { type: 'call', id: 6, call: { method: 'listFolder', args: 'not an array' } },
      { type: 'call', id: 7, call: null },
      { type: 'call', id: 8, call: { method: 'saveProjectAs', args: [['a'], { $bytes: 'AAAA' }] } },
      { type: 'call', id: 9, call: { method: 'inspectDataset', args: ['x'.repeat(100_000)] } },
    ];
    const socket = new WebSocket(`ws://${serve.url.host}/engine`, engineSubprotocols(serve.token), { headers: { Origin: serve.origin } });
    const replies = await new Promise<{ id: number; reply: { ok: boolean; error?: { name: string } } }[]>((resolve, reject) => {
      const got: { id: number; reply: { ok: boolean; error?: { name: string } } }[] = [];
      socket.on('open', () => wrong.forEach((message) => socket.send(JSON.stringify(message))));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id: number; reply: { ok: boolean } };
        if (message.type === 'reply') got.push(message);
        if (got.length === wrong.length) resolve(got);
      });
      socket.on('error', reject);
    });
    socket.close();
    for (const { id } of wrong) expect(replies.find((r) => r.id === id)?.reply, `call ${id}`).toMatchObject({ ok: false, error: { name: 'InvalidCallError' } });
    await answersNextCall();
  });

  it('survives 300 random mutations of a valid call frame', async () => {
    let seed = 19;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const valid = frame(1, text({ type: 'call', id: 1, call: { method: 'getInfo', args: [] } }));
    const mutants: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const mutant = Buffer.from(valid);
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) mutant[Math.floor(random() * mutant.length)] = Math.floor(random() * 256);
      mutants.push(random() < 0.2 ? mutant.subarray(0, Math.floor(random() * mutant.length)) : mutant);
    }
    // Ten connections, thirty mutants each, in sequence on each: after the first fatal one the rest go nowhere.
    for (let c = 0; c < 10; c++) await raw(upgradeRequest({ token: serve.token }), mutants.slice(c * 30, c * 30 + 30));
    await answersNextCall();
  });
});

describe('pruneflow serve under hostile HTTP', () => {
  /** A raw HTTP exchange: what the server answered before closing. */
  const http = (request: string | Buffer, body?: Buffer) => raw(typeof request === 'string' ? request : request.toString('latin1'), body ? [body] : []);
  const fileHeaders = (path: string, extra: string[]) =>
    [
      `POST /host-files/write?path=${encodeURIComponent(path)} HTTP/1.1`,
      `Host: ${serve.url.host}`,
      `Origin: ${serve.origin}`,
      `x-pruneflow-token: ${serve.token}`,
      ...extra,
      '',
      '',
    ].join('\r\n');

  it('answers garbage, a huge header and a broken request line with 400/431 and stays up', async () => {
    expect(await http('\x00\x01\x02 garbage\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await http(`GET / HTTP/1.1\r\nHost: ${serve.url.host}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 4(00|31) /);
    expect(await http(`GET /\u00ff HTTP/9.9\r\n\r\n`)).toMatch(/^HTTP\/1\.1 (400|505) /);
    await answersNextCall();
  });

  it('refuses an upload by its path or its declared size before reading its body', async () => {
    // The declared body never comes: an answer proves the server did not wait for it.
    const badPath = await http(fileHeaders('/tmp/.bashrc', ['Content-Length: 1000000000']));
    expect(badPath).toMatch(/^HTTP\/1\.1 403 /);
    expect(badPath).toContain('WriteRefusedError');
    const tooBig = await http(fileHeaders(`/tmp/pruneflow-never-${process.pid}.json`, [`Content-Length: ${2 ** 33}`]));
    expect(tooBig).toMatch(/^HTTP\/1\.1 413 /);
    await answersNextCall();
  });
});
