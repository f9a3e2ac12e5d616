import { describe, expect, it } from 'vitest';
import { bridgeCalls, CALL_METHODS, type CallReply } from '../../../core/api/bridge.js';

describe('bridgeCalls', () => {
  it('makes one function per engine call and sends its method and arguments', async () => {
    const sent: unknown[][] = [];
    const calls = bridgeCalls(async (method, args): Promise<CallReply> => {
      sent.push([method, args]);
      return { ok: true, value: method };
    });
    expect(Object.keys(calls).sort()).toEqual([...CALL_METHODS].sort());
    expect(await calls.cancelTask('task-1')).toEqual({ ok: true, value: 'cancelTask' });
    expect(sent).toEqual([['cancelTask', ['task-1']]]);
  });

  it('drops trailing undefined arguments, which JSON would turn into null', async () => {
    const sent: unknown[][] = [];
    const calls = bridgeCalls(async (_method, args) => {
      sent.push(args);
      return { ok: true, value: undefined };
    });
    await calls.resumeSession('a.pruneflow', undefined);
    await calls.resumeSession('a.pruneflow', 's2');
    expect(sent).toEqual([['a.pruneflow'], ['a.pruneflow', 's2']]);
  });
});
