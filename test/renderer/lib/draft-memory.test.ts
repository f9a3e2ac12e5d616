import { describe, expect, it } from 'vitest';
import { recalledDraft } from '../../../renderer/lib/draft-memory.js';
import type { SessionDraft } from '../../../renderer/lib/session-draft.svelte.js';

// The draft as typed: recalledDraft reads only the types of its fields.
const like = { criterion: 'l1', reduction: 0.5, distill: false, exportPath: '' } as unknown as SessionDraft;
const store = (text: string | null) => ({ getItem: () => text });

describe('the wizard settings a tab remembers', () => {
  it('gives back each remembered setting whose type is the draft’s, and drops the rest', () => {
    const text = JSON.stringify({ criterion: 'lamp', reduction: '0.9', distill: true, exportPath: '/out', unknown: 1 });
    expect(recalledDraft(store(text), like)).toEqual({ criterion: 'lamp', distill: true, exportPath: '/out' });
  });

  it('remembers nothing from an empty, broken or foreign entry, or without storage', () => {
    for (const text of [null, '', '{', '[1]', '"l2"', 'null']) expect(recalledDraft(store(text), like)).toEqual({});
    expect(recalledDraft(undefined, like)).toEqual({});
  });
});
