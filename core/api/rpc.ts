/**
 * The one call layer between a UI (or a host) and an engine on the other side of a transport: call ids,
 * the tasks that run there, their events, and what happens when the other side dies. Each transport
 * (worker thread, Web Worker, WebSocket) is a thin adapter that posts messages and reports replies,
 * events and its own death here. Types and plain code only: the renderer imports this file.
 */
import type { EngineApi, EngineEvent, SerializedError } from './contract.js';
import { answerCall } from './answer-call.js';
import { bridgeCalls, type CallMethod, type CallReply, type EngineBridge, type EngineCall } from './bridge.js';
import { isTaskEnd } from './task-events.js';

/** The caller's side of one transport. */
export interface Caller {
  /** One function per engine call plus `onEvent`, as the Electron preload exposes them. */
  readonly bridge: EngineBridge;
  /** Sends one call; resolves with its reply, or with the error the other side died of. */
  call(call: EngineCall): Promise<CallReply>;
  /** A reply arrived for call `id`. */
  reply(id: number, reply: CallReply): void;
  /** An event arrived. */
  event(event: EngineEvent): void;
  /**
   * The other side died or went away: every call waiting and every task running fails with `error`
   * (a `task-failed` event per task), the same way on every transport. `final`: later calls fail with it
   * too; otherwise the adapter may start a fresh engine, which numbers its tasks anew.
   */
  lose(error: SerializedError, final: boolean): void;
  /** Tasks started and not yet ended, for hosts that say what closing would stop. */
  running(): string[];
}

/** `post` hands a call with its id to the transport; it may wait (a socket that is still opening). */
export function createCaller(post: (id: number, call: EngineCall) => void | Promise<void>): Caller {
  const listeners = new Set<(event: EngineEvent) => void>();
  const pending = new Map<number, (reply: CallReply) => void>();
  const running = new Set<string>();
  const ended = new Set<string>();
  let nextId = 1;
  let lost: CallReply | undefined;

  const emit = (event: EngineEvent) => {
    if (isTaskEnd(event)) {
      running.delete(event.taskId);
      ended.add(event.taskId);
    } else if (!ended.has(event.taskId)) running.add(event.taskId);
    for (const listener of listeners) listener(event);
  };

  const call = async (message: EngineCall): Promise<CallReply> => {
    if (lost) return lost;
    const id = nextId++;
    const answered = new Promise<CallReply>((resolve) => pending.set(id, resolve));
    try {
      await post(id, message);
    } catch (error) {
      pending.delete(id);
      return { ok: false, error: { name: (error as Error).name, message: (error as Error).message } };
    }
    return answered;
  };

  const caller: Caller = {
    bridge: {
      ...bridgeCalls((method: CallMethod, args: unknown[]) => call({ method, args } as EngineCall)),
      onEvent(listener) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    },
    call,
    reply(id, reply) {
      const resolve = pending.get(id);
      if (!resolve) return;
      pending.delete(id);
      // Every call that starts a task (startDemo, startPruning, startSensitivity, resumeSession) answers its
      // taskId (a sweep its sweepId): it runs from here, so a death before its first event still fails it.
      const taskId = reply.ok ? startedTaskId(reply.value) : undefined;
      if (taskId !== undefined && !ended.has(taskId)) running.add(taskId);
      resolve(reply);
    },
    event: emit,
    lose(error, final) {
      if (final) lost = { ok: false, error };
      const waiting = [...pending.values()];
      pending.clear();
      for (const resolve of waiting) resolve({ ok: false, error });
      for (const taskId of [...running]) emit({ type: 'task-failed', taskId, error });
      // A fresh engine numbers its tasks from task-1 again: what this one ran says nothing about those.
      running.clear();
      ended.clear();
    },
    running: () => [...running],
  };
  return caller;
}

/** The engine's side of one transport: its events go out, calls come in and are answered with their id. */
export function answerCalls(
  engine: EngineApi,
  send: (message: { type: 'reply'; id: number; reply: CallReply } | { type: 'event'; event: EngineEvent }) => void,
) {
  engine.onEvent((event) => send({ type: 'event', event }));
  return (id: number, call: unknown) => void answerCall(engine, call).then((reply) => send({ type: 'reply', id, reply }));
}

function startedTaskId(value: unknown): string | undefined {
  const started = typeof value === 'object' && value !== null ? (value as { taskId?: unknown; sweepId?: unknown }) : undefined;
  const taskId = started?.taskId ?? started?.sweepId;
  return typeof taskId === 'string' ? taskId : undefined;
}
