/**
 * The renderer's one way to the engine. Each host provides `EngineApi` its own way; the UI never
 * knows which. Electron's preload exposes `window.pruneflow`; `pruneflow serve` serves this page
 * with a token in its URL and the engine on a WebSocket beside it; `?engine=page` runs the engine in a
 * worker of this page instead (WebGPU, WebGL or wasm inside Chromium).
 */
import type { EngineApi } from '../../core/api/contract.js';
import { deserializeError } from '../../core/api/errors.js';
import { CALL_METHODS, type CallReply, type EngineBridge } from '../../core/api/bridge.js';
import { TOKEN_PARAMETER } from '../../core/api/socket-protocol.js';
import type { HostFileBridge } from '../../core/api/host-files-protocol.js';
import { engineSocketUrl, socketBridge } from './socket-bridge.js';
import { enginePlacement } from './engine-placement.js';
import { workerBridge } from './worker-bridge.js';

declare global {
  interface Window {
    pruneflow?: EngineBridge;
    /** The desktop app's user files, for an engine in a worker of the page. */
    pruneflowFiles?: HostFileBridge;
  }
}

export class NoEngineHostError extends Error {
  override name = 'NoEngineHostError';
}

interface EngineHost {
  name: string;
  /** The engine if this host is present, else undefined. */
  connect(): EngineApi | undefined;
}

const HOSTS: EngineHost[] = [
  {
    name: 'page',
    connect() {
      const { inPage, backend } = enginePlacement(location.href);
      const token = new URLSearchParams(location.search).get(TOKEN_PARAMETER) ?? undefined;
      return inPage ? fromBridge(workerBridge(backend, { token, bridge: window.pruneflowFiles })) : undefined;
    },
  },
  { name: 'electron', connect: () => (window.pruneflow ? fromBridge(window.pruneflow) : undefined) },
  {
    name: 'browser',
    connect() {
      const token = new URLSearchParams(location.search).get(TOKEN_PARAMETER);
      const served = location.protocol === 'http:' || location.protocol === 'https:';
      return served && token ? fromBridge(socketBridge(engineSocketUrl(location), token)) : undefined;
    },
  },
];

export function connectEngine(): EngineApi {
  for (const host of HOSTS) {
    const engine = host.connect();
    if (engine) return engine;
  }
  throw new NoEngineHostError(
    `No engine host found (tried: ${HOSTS.map((h) => h.name).join(', ')}). Start Pruneflow as the desktop app, or open the link \`pruneflow serve\` prints.`,
  );
}

/** Turns the preload's plain replies back into resolved values and named errors. */
export function fromBridge(bridge: EngineBridge): EngineApi {
  const unwrap = async <T>(pending: Promise<CallReply<T>>): Promise<T> => {
    const reply = await pending;
    if (!reply.ok) throw deserializeError(reply.error);
    return reply.value;
  };
  // Every call the same way (the list is core/api/bridge.ts's), so no host's client can forget one.
  const calls = Object.fromEntries(
    CALL_METHODS.map((method) => [method, (...args: unknown[]) => unwrap((bridge[method] as (...a: unknown[]) => Promise<CallReply>)(...args))]),
  );
  return { ...calls, onEvent: (listener: Parameters<EngineBridge['onEvent']>[0]) => bridge.onEvent(listener) } as EngineApi;
}
