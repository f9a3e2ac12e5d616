import { describe, expect, it } from 'vitest';
import { PauseGate } from '../../../core/train/pause-gate.js';

/** Whether `promise` settled within a few turns of the event loop. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

describe('pause gate', () => {
  it('lets loops through while open and holds them while paused, until resumed', async () => {
    const events: string[] = [];
    const gate = new PauseGate({ onHold: () => events.push('hold'), onRelease: () => events.push('release') });
    expect(await settled(gate.wait())).toBe(true);
    gate.pause();
    gate.pause(); // twice is once
    const held = gate.wait();
    expect(await settled(held)).toBe(false);
    expect(events).toEqual(['hold']);
    gate.resume();
    expect(await settled(held)).toBe(true);
    expect(events).toEqual(['hold', 'release']);
    expect(gate.paused).toBe(false);
  });

  it('releases a held loop when its task is cancelled, without calling that a resume', async () => {
    const events: string[] = [];
    const gate = new PauseGate({ onHold: () => events.push('hold'), onRelease: () => events.push('release') });
    const controller = new AbortController();
    gate.pause();
    const held = gate.wait(controller.signal);
    expect(await settled(held)).toBe(false);
    controller.abort();
    expect(await settled(held)).toBe(true);
    expect(events).toEqual(['hold']);
    // An aborted task never holds again.
    expect(await settled(gate.wait(controller.signal))).toBe(true);
  });
});
