import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { ENGINE_SUBPROTOCOL, engineSubprotocols, type FromServer } from '../../../../core/api/socket-protocol.js';
import { type ServeProcess, startServe } from './serve-process.js';

// The browser host's guards, tried from outside as an attacker would: raw HTTP requests and
// WebSockets against a real `pruneflow serve` process.
let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServe();
});

afterAll(() => serve?.kill());

/** A raw GET: the path goes out exactly as written (no client-side `..` clean-up). */
function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: serve.url.hostname, port: serve.url.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

/** Opens a socket; resolves with it once open, or with the HTTP status that refused it. */
function openSocket(query: string, headers: Record<string, string>, protocols: string[] = []) {
  return new Promise<{ socket?: WebSocket; refused?: number }>((resolve, reject) => {
    const socket = new WebSocket(`ws://${serve.url.host}/engine${query}`, protocols, { headers });
    socket.on('open', () => resolve({ socket }));
    socket.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode }));
    socket.on('error', reject);
  });
}

/** A socket's messages, in order, to await one by one; waiting on a closed socket fails at once. */
function messages(socket: WebSocket) {
  const queue: FromServer[] = [];
  const waiting: { resolve: (message: FromServer) => void; reject: (error: Error) => void }[] = [];
  let closed: Error | undefined;
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as FromServer;
    const next = waiting.shift();
    if (next) next.resolve(message);
    else queue.push(message);
  });
  socket.on('close', (code) => {
    closed = new Error(`The socket closed (${code}). Server output:\n${serve.output()}`);
    for (const { reject } of waiting.splice(0)) reject(closed);
  });
  return () => {
    if (queue.length) return Promise.resolve(queue.shift()!);
    if (closed) return Promise.reject(closed);
    return new Promise<FromServer>((resolve, reject) => waiting.push({ resolve, reject }));
  };
}

const own = () => ({ Origin: serve.origin });

describe('pruneflow serve: HTTP', () => {
  it('serves the page with its token, with a strict CSP and nosniff, cross-origin isolated', async () => {
    const page = await get(`/?token=${serve.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    // COOP and COEP: the page (and its engine worker) cross-origin isolated, for ONNX Runtime Web's threads.
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(page.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(page.body).toContain('<div id="app">');
    // The page's scripts load by relative URL, without the token: the cookie set with the page admits them.
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)![1];
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(/; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0];
    // Cookies ignore ports, so every other server on 127.0.0.1 receives this one: it must not hold the token.
    expect(cookie).toMatch(new RegExp(`^pruneflow-assets-${serve.url.port}=[0-9a-f]{64}$`));
    expect(cookie).not.toContain(serve.token);
    const asset = await get(`/${script}`, { Cookie: cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(asset.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('answers 403 without the token, with a wrong one, or to a foreign host name', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/index.html')).status).toBe(403);
    expect((await get(`/?token=${'0'.repeat(64)}`)).status).toBe(403);
    expect((await get(`/?token=${serve.token.slice(0, 63)}`)).status).toBe(403);
    expect((await get('/', { Cookie: `pruneflow-assets-${serve.url.port}=nope` })).status).toBe(403);
    // DNS rebinding: another site's name pointed at 127.0.0.1 is turned away even with the token.
    expect((await get(`/?token=${serve.token}`, { Host: `evil.example:${serve.url.port}` })).status).toBe(403);
  });

  it.each([
    '/../package.json',
    '/assets/../../package.json',
    '/..%2fcore%2fnode%2fcli.js',
    '/%2e%2e/core/node/cli.js',
    '/assets/%2e%2e%2f..%2fcore/node/cli.js',
    '/..\\core\\node\\cli.js',
    '/%00index.html',
    '/assets',
    '/.hidden',
  ])('answers 404 to %s, which names nothing inside the renderer', async (path) => {
    const { status } = await get(`${path}${path.includes('?') ? '&' : '?'}token=${serve.token}`);
    expect(status).toBe(404);
  });
});

describe('pruneflow serve: WebSocket', () => {
  it('refuses another origin, a missing origin and a wrong token before upgrading', async () => {
    expect(await openSocket(`?token=${serve.token}`, { Origin: 'http://evil.example' })).toEqual({ refused: 403 });
    expect(await openSocket(`?token=${serve.token}`, { Origin: `http://localhost:${Number(serve.url.port) + 1}` })).toEqual({ refused: 403 });
    expect(await openSocket(`?token=${serve.token}`, {})).toEqual({ refused: 403 });
    expect(await openSocket(`?token=${'f'.repeat(64)}`, own())).toEqual({ refused: 401 });
  });

  it('opens no socket without the token in the upgrade request itself', async () => {
    expect(await openSocket('', own())).toEqual({ refused: 401 });
    expect(await openSocket('', own(), [ENGINE_SUBPROTOCOL])).toEqual({ refused: 401 });
    expect(await openSocket('', own(), engineSubprotocols('0'.repeat(64)))).toEqual({ refused: 401 });
    // As the page opens it: the token as a subprotocol; the server answers with the engine's alone.
    const { socket } = await openSocket('', own(), engineSubprotocols(serve.token));
    expect(socket!.protocol).toBe(ENGINE_SUBPROTOCOL);
    const next = messages(socket!);
    socket!.send(JSON.stringify({ type: 'call', id: 1, call: { method: 'getInfo', args: [] } }));
    expect(await next()).toMatchObject({ type: 'reply', id: 1, reply: { ok: true, value: { name: 'Pruneflow' } } });
    socket!.close();
  });

  it('answers malformed messages with InvalidCallError, runs none of them, and keeps working', async () => {
    const { socket } = await openSocket('', own(), engineSubprotocols(serve.token));
    const next = messages(socket!);
    const malformed: [string | Buffer, number | null][] = [
      ['{ not json', null],
      ['null', null],
      ['"getInfo"', null],
      ['[1, 2]', null],
      [Buffer.from([1, 2, 3]), null],
      [JSON.stringify({ type: 'call', call: { method: 'getInfo', args: [] } }), null],
      [JSON.stringify({ type: 'run', id: 2 }), 2],
      [JSON.stringify({ type: 'hello', token: serve.token }), null],
      [JSON.stringify({ type: 'call', id: 3, call: { method: 'runShell', args: ['rm -rf /'] } }), 3],
      [JSON.stringify({ type: 'call', id: 4, call: { method: 'startDemo', args: [{ trainEpochs: -1 }] } }), 4],
      [JSON.stringify({ type: 'call', id: 5, call: { method: 'startDemo', args: [{ trainEpochs: 0 }, 'extra'] } }), 5],
    ];
    for (const [message, id] of malformed) {
      socket!.send(message);
      expect(await next()).toMatchObject({ type: 'reply', id, reply: { ok: false, error: { name: 'InvalidCallError' } } });
    }
    socket!.send(JSON.stringify({ type: 'call', id: 6, call: { method: 'getInfo', args: [] } }));
    expect(await next()).toMatchObject({ type: 'reply', id: 6, reply: { ok: true, value: { name: 'Pruneflow', host: 'browser' } } });
    // The first task this engine ever started is task-1: none of the malformed startDemo calls ran.
    socket!.send(JSON.stringify({ type: 'call', id: 7, call: { method: 'startDemo', args: [{ trainEpochs: 0, fineTuneEpochs: 0 }] } }));
    let reply = await next();
    while (reply.type === 'event') reply = await next();
    expect(reply).toEqual({ type: 'reply', id: 7, reply: { ok: true, value: { taskId: 'task-1' } } });
    socket!.send(JSON.stringify({ type: 'call', id: 8, call: { method: 'cancelTask', args: ['task-1'] } }));
    const seen: FromServer[] = [];
    for (let message = await next(); ; message = await next()) {
      seen.push(message);
      if (message.type === 'event' && message.event.type !== 'task-progress') break;
    }
    expect(seen).toContainEqual({ type: 'reply', id: 8, reply: { ok: true } });
    expect(seen.at(-1)).toMatchObject({ type: 'event', event: { taskId: 'task-1' } });
    socket!.close();
  });

  it('stops cleanly on Ctrl-C', async () => {
    const { socket } = await openSocket(`?token=${serve.token}`, own());
    const closed = new Promise<number>((resolve) => socket!.on('close', (code) => resolve(code)));
    expect(await serve.interrupt()).toEqual({ code: 0, signal: null });
    expect(await closed).toBe(1001);
    expect(serve.output()).toContain('Stopping Pruneflow');
  });
});

describe('pruneflow serve --host', () => {
  it('warns when it listens beyond this computer, and shows a link that works here', async () => {
    const open = await startServe(['--host', '0.0.0.0']);
    let ended;
    try {
      // stderr and stdout are separate pipes: the warning may arrive just after the link.
      await vi.waitFor(() => expect(open.output()).toContain('Warning: listening on 0.0.0.0, not only on this computer'));
      // The link lends this computer's files: the start message says how far.
      expect(open.output()).toContain("whoever has it can use this engine, read files on this computer and write Pruneflow's own files");
      expect(open.url.hostname).toBe('127.0.0.1');
      expect((await fetch(open.url)).status).toBe(200);
      expect((await fetch(new URL('/', open.url))).status).toBe(403);
    } finally {
      ended = await open.interrupt();
    }
    expect(ended).toEqual({ code: 0, signal: null });
  });
});
