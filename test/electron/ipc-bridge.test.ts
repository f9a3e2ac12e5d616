import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../core/api/contract.js';
import type { CallReply, EngineCall } from '../../core/api/bridge.js';
import { type InvokeEventLike, type IpcMainLike, registerEngineIpc } from '../../electron/ipc-bridge.js';
import { ENGINE_CALL_CHANNEL, ENGINE_EVENT_CHANNEL } from '../../electron/ipc-channels.js';
import type { EngineRelay } from '../../core/node/engine-thread/worker-relay.js';

type Handler = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

function setup() {
  const handlers = new Map<string, Handler>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
    on: () => {},
    removeAllListeners: () => {},
  };
  const relayed: EngineCall[] = [];
  const listeners = new Set<(event: EngineEvent) => void>();
  const relay: EngineRelay = {
    async call(call) {
      relayed.push(call);
      return { ok: true, value: `ran ${call.method}` };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onCrash: () => () => {},
    async dispose() {},
  };
  const sent: [string, EngineEvent][] = [];
  const disconnect = registerEngineIpc(ipcMain, {
    relay,
    isTrustedSender: (url) => url.startsWith('file:///app/dist/renderer/'),
    broadcast: (channel, event) => sent.push([channel, event]),
  });
  const fromApp = { senderFrame: { url: 'file:///app/dist/renderer/index.html' } };
  const invoke = (event: InvokeEventLike, ...args: unknown[]) => handlers.get(ENGINE_CALL_CHANNEL)!(event, ...args) as Promise<CallReply>;
  return { handlers, relayed, listeners, sent, disconnect, fromApp, invoke };
}

describe('registerEngineIpc', () => {
  it('relays a valid call from the app page', async () => {
    const { invoke, fromApp, relayed } = setup();
    expect(await invoke(fromApp, { method: 'cancelTask', args: ['task-1'] })).toEqual({ ok: true, value: 'ran cancelTask' });
    expect(relayed).toEqual([{ method: 'cancelTask', args: ['task-1'] }]);
  });

  it.each([
    ['an unknown method', { method: 'eval', args: ['1'] }, 'InvalidCallError'],
    ['bad argument shapes', { method: 'startDemo', args: [{ trainEpochs: -1 }] }, 'InvalidCallError'],
    ['no message', undefined, 'InvalidCallError'],
  ])('answers %s with an error and runs nothing', async (_case, message, name) => {
    const { invoke, fromApp, relayed } = setup();
    const reply = await invoke(fromApp, message);
    expect(reply).toMatchObject({ ok: false, error: { name } });
    expect(relayed).toEqual([]);
  });

  it('refuses extra arguments', async () => {
    const { invoke, fromApp, relayed } = setup();
    expect(await invoke(fromApp, { method: 'getInfo', args: [] }, 'extra')).toMatchObject({ ok: false, error: { name: 'TypeError' } });
    expect(relayed).toEqual([]);
  });

  it.each([
    ['a remote page', { senderFrame: { url: 'https://example.com/' } }],
    ['a file outside the renderer', { senderFrame: { url: 'file:///tmp/evil.html' } }],
    ['a destroyed frame', { senderFrame: null }],
  ])('refuses calls from %s', async (_case, event) => {
    const { invoke, relayed } = setup();
    expect(await invoke(event, { method: 'getInfo', args: [] })).toMatchObject({ ok: false, error: { name: 'UntrustedSenderError' } });
    expect(relayed).toEqual([]);
  });

  it('broadcasts engine events and stops on disconnect', () => {
    const { listeners, sent, disconnect, handlers } = setup();
    const event: EngineEvent = { type: 'task-cancelled', taskId: 'task-1' };
    for (const listener of listeners) listener(event);
    expect(sent).toEqual([[ENGINE_EVENT_CHANNEL, event]]);
    disconnect();
    expect(listeners.size).toBe(0);
    expect(handlers.size).toBe(0);
  });
});
