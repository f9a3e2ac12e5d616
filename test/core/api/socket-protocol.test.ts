import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type FromServer } from '../../../core/api/socket-protocol.js';

describe('socket messages', () => {
  it('carry bytes as bytes, compactly, and leave other values alone', () => {
    const rgba = Uint8Array.from({ length: 3136 }, (_, i) => (i * 37) % 256);
    const message: FromServer = {
      type: 'reply',
      id: 4,
      reply: { ok: true, value: { samples: [{ rgba, label: 3 }], note: { $bytes: 'not bytes', other: 1 }, list: [1, 2] } },
    };
    const text = encodeMessage(message);
    // Base64: 4 characters per 3 bytes, where plain JSON spends about 6 per byte.
    expect(text.length).toBeLessThan(rgba.length * 1.5);
    const back = decodeMessage(text) as { reply: { value: { samples: { rgba: Uint8Array }[]; note: object; list: number[] } } };
    expect(back.reply.value.samples[0].rgba).toBeInstanceOf(Uint8Array);
    expect([...back.reply.value.samples[0].rgba]).toEqual([...rgba]);
    expect(back.reply.value.note).toEqual({ $bytes: 'not bytes', other: 1 });
    expect(back.reply.value.list).toEqual([1, 2]);
  });

  it('carries empty and large byte arrays', () => {
    const large = new Uint8Array(200_000).fill(255);
    const back = decodeMessage(
      encodeMessage({ type: 'event', event: { type: 'task-cancelled', taskId: 'x', extra: [new Uint8Array(0), large] } as never }),
    ) as { event: { extra: Uint8Array[] } };
    expect(back.event.extra[0]).toEqual(new Uint8Array(0));
    expect(back.event.extra[1].length).toBe(200_000);
  });
});
