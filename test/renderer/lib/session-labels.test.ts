import { describe, expect, it } from 'vitest';
import { fileName, sessionColour } from '../../../renderer/lib/session-colours.js';
import { liveSessionId, RESUMABLE, statusLabel, targetLabel } from '../../../renderer/lib/session-labels.js';

describe('how the Project and Compare screens name a session', () => {
  it('calls a session saved as running interrupted, unless a run of this window may be writing it', () => {
    expect(statusLabel('running')).toBe('interrupted');
    expect(statusLabel('running', true)).toBe('running');
    expect(statusLabel('done')).toBe('done');
    expect(statusLabel('cancelled', true)).toBe('cancelled');
    expect([...RESUMABLE].sort()).toEqual(['cancelled', 'failed', 'interrupted', 'stopped early']);
  });

  it('takes only the session a run of this window writes for live, never one of another project', () => {
    const project = {
      path: '/p/a.pruneflow',
      sessions: [
        { id: 's1', status: 'running' },
        { id: 's2', status: 'done' },
        { id: 's3', status: 'running' },
      ],
    } as Parameters<typeof liveSessionId>[0];
    expect(liveSessionId(project, undefined)).toBeUndefined();
    expect(liveSessionId(project, { path: '/p/b.pruneflow' })).toBeUndefined();
    expect(liveSessionId(project, { path: '/p/b.pruneflow', session: 's1' })).toBeUndefined();
    // A new session is added last; s1 was interrupted before it.
    expect(liveSessionId(project, { path: '/p/a.pruneflow' })).toBe('s3');
    expect(liveSessionId(project, { path: '/p/a.pruneflow', session: 's1' })).toBe('s1');
    expect(liveSessionId({ ...project, sessions: [] }, { path: '/p/a.pruneflow' })).toBeUndefined();
  });

  it('says the target as the metric and the share removed', () => {
    expect(targetLabel({ metric: 'flops', reduction: 0.5 })).toBe('FLOPs −50%');
    expect(targetLabel({ metric: 'params', reduction: 0.305 })).toBe('params −31%');
  });

  it('gives each compared session its own colour, the first three from the theme', () => {
    expect(sessionColour(0)).toBe('var(--chart-1)');
    expect(new Set(Array.from({ length: 8 }, (_, i) => sessionColour(i))).size).toBe(8);
    expect(fileName('/home/me/a.pruneflow')).toBe('a.pruneflow');
    expect(fileName('C:\\runs\\b.pruneflow')).toBe('b.pruneflow');
  });
});
