import { EventEmitter } from 'node:events';
import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { bridgeCalls, CALL_METHODS, type CallReply, type EngineBridge } from '../../../core/api/bridge.js';
import type { EngineApi, EngineEvent } from '../../../core/api/contract.js';
import { answerCalls } from '../../../core/api/rpc.js';
import { checkedEngine } from '../../../core/api/validate-call.js';
import { relayEndpoint } from '../../../core/node/engine-thread/engine-endpoint.js';
import { createWorkerRelay, type WorkerLike } from '../../../core/node/engine-thread/worker-relay.js';
import { serveEngine } from '../../../core/node/engine-thread/worker-server.js';
import { engineSockets } from '../../../core/node/serve/engine-socket.js';
import { registerEngineIpc } from '../../../electron/ipc-bridge.js';
import { ENGINE_CALL_CHANNEL } from '../../../electron/ipc-channels.js';
import { FakeIpcMain } from '../../electron/fake-electron.js';

// Two calls added where issue 17 says a new call goes: the contract's call table (one entry each) and the
// engine (below). Nothing else knows them, yet every door of every topology must carry them, check their
// arguments, track the task one of them starts and fail that task when the engine dies.
vi.mock('../../../core/api/contract.js', async (importOriginal) => {
  const contract = await importOriginal<typeof import('../../../core/api/contract.js')>();
  const arg = await import('../../../core/api/call-args.js');
  return { ...contract, ENGINE_CALLS: { ...contract.ENGINE_CALLS, echoPath: arg.args(arg.path), startEcho: arg.args() } };
});

/** The engine with the two new calls; the engine checks every call at its entry, as createEngine does. */
function newEngine(): EngineApi {
  const listeners = new Set<(event: EngineEvent) => void>();
  const engine = {
    async echoPath(path: string) {
      return { echoed: path };
    },
    async startEcho() {
      // A moment of the running task after its id is out, like a real task's first progress.
      setTimeout(() => {
        for (const listener of listeners) listener({ type: 'task-progress', taskId: 'echo-1', progress: { stage: 'echo', step: 0, total: 1, message: '' } });
      }, 5);
      return { taskId: 'echo-1' };
    },
    onEvent(listener: (event: EngineEvent) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return checkedEngine(engine as unknown as EngineApi);
}

/** An engine thread: the engine's side served over a real MessagePort, as in a worker_threads Worker. */
class EngineThread extends EventEmitter implements WorkerLike {
  readonly channel = new NodeMessageChannel();
  constructor() {
    super();
    serveEngine(newEngine(), this.channel.port2);
    this.channel.port1.on('message', (message) => this.emit('message', message));
  }
  postMessage(message: unknown): void {
    this.channel.port1.postMessage(message);
  }
  async terminate(): Promise<number> {
    this.die();
    return 1;
  }
  /** The thread ends as a crashed one does: its port goes quiet and it exits. */
  die(): void {
    this.channel.port1.close();
    this.channel.port2.close();
    this.emit('exit', 1);
  }
}

// The page's bridges use the DOM's types, so tsc is not pointed at them; Vitest loads them as they are.
const load = <T>(path: string): Promise<T> => import(/* @vite-ignore */ path) as Promise<T>;
const socketBridge = async () =>
  (
    await load<{ socketBridge: (url: string, token: string, open: (url: string, protocols: string[]) => unknown) => EngineBridge }>(
      '../../../renderer/lib/socket-bridge.ts',
    )
  ).socketBridge;
const workerBridge = async () =>
  (
    await load<{
      workerBridge: (backend: string, files: object, connect: { page: string; spawn: () => unknown }) => EngineBridge;
    }>('../../../renderer/lib/worker-bridge.ts')
  ).workerBridge;

interface Topology {
  /** The calls as the UI (or the CLI) makes them. */
  bridge: EngineBridge;
  /** Kills the engine the way this topology's engine dies. */
  kill(): void;
  /** The error every running task fails with. */
  died: string;
  close(): Promise<void>;
}

const threads: EngineThread[] = [];
const relayThread = () => {
  const relay = createWorkerRelay(() => {
    const thread = new EngineThread();
    threads.push(thread);
    return thread;
  });
  return { relay, kill: () => threads.at(-1)!.die() };
};
afterEach(() => void threads.splice(0));

/** The page's engine in a Web Worker: its worker side is the engine worker's own code path (answerCalls). */
function pageWorker() {
  const channel = new MessageChannel();
  const answer = answerCalls(newEngine(), (message) => channel.port2.postMessage(message));
  channel.port2.addEventListener('message', (event) => {
    const { id, call } = (event as unknown as { data: { id: number; call: unknown } }).data;
    answer(id, call);
  });
  channel.port2.start();
  const errors = new EventTarget();
  const worker = {
    postMessage: (message: unknown) => channel.port1.postMessage(message),
    addEventListener: (type: string, listener: (event: Event) => void) => {
      if (type === 'message') {
        channel.port1.addEventListener('message', listener);
        channel.port1.start();
      } else errors.addEventListener(type, listener);
    },
  };
  const kill = () => {
    channel.port1.close();
    errors.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message: 'Out of memory' }));
  };
  return { worker, kill };
}

const TOPOLOGIES: [string, () => Promise<Topology>][] = [
  [
    'desktop, engine thread (Electron IPC to the engine worker thread)',
    async () => {
      const { relay, kill } = relayThread();
      const ipcMain = new FakeIpcMain();
      const broadcast = new Set<(event: EngineEvent) => void>();
      registerEngineIpc(ipcMain, { relay, isTrustedSender: () => true, broadcast: (_channel, event) => broadcast.forEach((l) => l(event)) });
      // What the preload exposes: one function per call of the table, each an ipcRenderer.invoke.
      const invoke = (message: unknown) => ipcMain.handlers.get(ENGINE_CALL_CHANNEL)!({ senderFrame: { url: 'app://pruneflow/index.html' } }, message);
      const bridge: EngineBridge = {
        ...bridgeCalls((method, args) => invoke({ method, args }) as Promise<CallReply>),
        onEvent: (listener) => (broadcast.add(listener), () => void broadcast.delete(listener)),
      };
      return { bridge, kill, died: 'EngineCrashedError', close: () => relay.dispose() };
    },
  ],
  [
    'desktop, engine in the page (a Web Worker; files lent by the preload)',
    async () => {
      const { worker, kill } = pageWorker();
      const files = { bridge: async () => ({ ok: false, error: { name: 'Unused', message: '' } }) };
      const bridge = (await workerBridge())('auto', files, { page: 'app://pruneflow/index.html', spawn: () => worker });
      return { bridge, kill, died: 'EngineWorkerError', close: async () => {} };
    },
  ],
  [
    'serve, engine thread (WebSocket to the server, its engine worker thread)',
    async () => {
      const { relay, kill } = relayThread();
      const sockets = engineSockets(relayEndpoint(relay));
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      server.on('connection', (socket) => sockets.accept(socket));
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      const bridge = (await socketBridge())(`ws://127.0.0.1:${port}/engine`, 'secret', (url, protocols) => new WebSocket(url, protocols));
      const close = async () => {
        sockets.closeAll();
        await relay.dispose();
        await new Promise((resolve) => server.close(resolve));
      };
      return { bridge, kill, died: 'EngineCrashedError', close };
    },
  ],
  [
    'serve, engine in the page (a Web Worker; files from the server by token)',
    async () => {
      const { worker, kill } = pageWorker();
      const bridge = (await workerBridge())('webgpu', { token: 'secret' }, { page: 'http://127.0.0.1:8080/', spawn: () => worker });
      return { bridge, kill, died: 'EngineWorkerError', close: async () => {} };
    },
  ],
];

const until = <T>(bridge: EngineBridge, match: (event: EngineEvent) => T | undefined) =>
  new Promise<T>((resolve) => {
    const stop = bridge.onEvent((event) => {
      const found = match(event);
      if (found === undefined) return;
      stop();
      resolve(found);
    });
  });

describe('a call added to the contract table and the engine only', () => {
  it('is one of the calls every bridge offers', () => {
    expect(CALL_METHODS).toEqual(expect.arrayContaining(['echoPath', 'startEcho', 'startPruning']));
  });

  it('CLI in-process: the engine answers it, checked at its entry', async () => {
    const engine = newEngine() as unknown as Record<'echoPath' | 'startEcho', (...args: unknown[]) => Promise<unknown>>;
    expect(await engine.echoPath('/data/x')).toEqual({ echoed: '/data/x' });
    await expect(engine.echoPath('')).rejects.toMatchObject({ name: 'InvalidCallError', message: expect.stringContaining("'echoPath': path must be") });
    expect(await engine.startEcho()).toEqual({ taskId: 'echo-1' });
  });

  describe.each(TOPOLOGIES)('%s', (_name, open) => {
    it('carries it, refuses wrong arguments by its table entry, and fails the task it started when the engine dies', async () => {
      const topology = await open();
      try {
        const calls = topology.bridge as unknown as Record<'echoPath' | 'startEcho', (...args: unknown[]) => Promise<CallReply>>;
        expect(await calls.echoPath('/data/x')).toEqual({ ok: true, value: { echoed: '/data/x' } });
        expect(await calls.echoPath('/a', '/b')).toEqual({
          ok: false,
          error: { name: 'InvalidCallError', message: "Invalid engine call 'echoPath': expected 1 argument, but got 2." },
        });
        const progress = until(topology.bridge, (event) => (event.type === 'task-progress' ? event.taskId : undefined));
        expect(await calls.startEcho()).toEqual({ ok: true, value: { taskId: 'echo-1' } });
        expect(await progress).toBe('echo-1');
        const failed = until(topology.bridge, (event) => (event.type === 'task-failed' ? event : undefined));
        topology.kill();
        expect(await failed).toMatchObject({ taskId: 'echo-1', error: { name: topology.died } });
      } finally {
        await topology.close();
      }
    });
  });
});
