import type { Page } from 'playwright-core';
import type { PruneConfig, PruneResult } from '../../core/api/contract.js';

export interface SessionRun {
  active: string;
  details: string[];
  losses: number[];
  result: PruneResult;
  tensorsAfter: number[];
  /** Training throughput of the first session, as its last progress event gave it. */
  imagesPerSecond: number;
}

/**
 * Runs `sessions` tiny sessions in a fresh engine worker on `backend`, in the page (the code is sent to the
 * browser). With `token` (the server's), the worker reads the user's files through `pruneflow serve`.
 */
export function runInWorker(
  page: Page,
  backend: string,
  config: PruneConfig | (Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'>),
  sessions: number,
  token = '',
): Promise<SessionRun> {
  return page.evaluate(
    async ({ backend, config, sessions, token }) => {
      // This code runs in the page: the DOM's Worker, typed here without the DOM library.
      type PageWorker = { onmessage: (event: { data: WorkerMessage }) => void; postMessage(message: unknown): void; terminate(): void };
      type WorkerMessage = { type: 'reply'; id: number; reply: Reply } | { type: 'event'; event: EngineEventData };
      type Reply = { ok: boolean; value?: unknown; error?: { message: string } };
      type EngineEventData = {
        type: string;
        progress?: { stage: string; metrics?: { loss: number; imagesPerSecond: number } };
        result?: unknown;
        error?: { message: string };
      };
      const { Worker } = globalThis as unknown as { Worker: new (url: string, options: { type: 'module' }) => PageWorker };
      const worker = new Worker(`engine/engine-worker.js?backend=${backend}${token ? `&token=${token}` : ''}`, { type: 'module' });
      let id = 0;
      const replies = new Map<number, (reply: Reply) => void>();
      let onEvent: (event: EngineEventData) => void = () => {};
      worker.onmessage = ({ data }) => (data.type === 'reply' ? replies.get(data.id)!(data.reply) : onEvent(data.event));
      const call = async (method: string, ...args: unknown[]) => {
        const reply = await new Promise<Reply>((resolve) => {
          replies.set(++id, resolve);
          worker.postMessage({ type: 'call', id, call: { method, args } });
        });
        if (!reply.ok) throw new Error(reply.error!.message);
        return reply.value as never;
      };
      const info: { backend: { active: string; details: string[] } } = await call('getInfo');
      const losses: number[] = [];
      let imagesPerSecond = Number.NaN;
      const tensorsAfter: number[] = [];
      let result: unknown;
      for (let s = 0; s < sessions; s++) {
        const finished = new Promise<unknown>((resolve, reject) => {
          onEvent = (event) => {
            if (event.type === 'task-progress' && event.progress!.stage === 'training' && event.progress!.metrics && s === 0) {
              losses.push(event.progress!.metrics.loss);
              imagesPerSecond = event.progress!.metrics.imagesPerSecond;
            }
            if (event.type === 'task-done') resolve(event.result);
            if (event.type === 'task-failed' || event.type === 'task-cancelled') reject(new Error(`${event.type}: ${event.error?.message ?? ''}`));
          };
        });
        await call('startPruning', config);
        result = await finished;
        tensorsAfter.push(((await call('getInfo')) as { memory: { tensors: number } }).memory.tensors);
      }
      worker.terminate();
      return { active: info.backend.active, details: info.backend.details, losses, result: result as never, tensorsAfter, imagesPerSecond };
    },
    { backend, config, sessions, token },
  );
}

/** One call to a fresh engine worker of the page (`query`: its URL parameters); the reply as it came, errors by name. */
export function callInWorker(
  page: Page,
  query: string,
  method: string,
  ...args: unknown[]
): Promise<{ ok: boolean; value?: unknown; error?: { name: string; message: string } }> {
  return page.evaluate(
    async ({ query, method, args }) => {
      type PageWorker = { onmessage: (event: { data: { type: string; reply: unknown } }) => void; postMessage(message: unknown): void; terminate(): void };
      const { Worker } = globalThis as unknown as { Worker: new (url: string, options: { type: 'module' }) => PageWorker };
      const worker = new Worker(`engine/engine-worker.js?${query}`, { type: 'module' });
      const reply = await new Promise<unknown>((resolve) => {
        worker.onmessage = ({ data }) => data.type === 'reply' && resolve(data.reply);
        worker.postMessage({ type: 'call', id: 1, call: { method, args } });
      });
      worker.terminate();
      return reply as never;
    },
    { query, method, args },
  );
}
