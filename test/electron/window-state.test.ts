import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_SIZE, readWindowState, restoreBounds, saveWindowState, type WindowState } from '../../electron/window-state.js';

const folder = mkdtempSync(join(tmpdir(), 'pruneflow-window-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const LAPTOP = { x: 0, y: 0, width: 1440, height: 875 };
const MONITOR = { x: 1440, y: -200, width: 2560, height: 1400 };
const state = (x: number, y: number, width = 1000, height = 700): WindowState => ({ x, y, width, height, maximized: false });

describe('restoreBounds', () => {
  it.each([
    ['fits the laptop', state(100, 50), [LAPTOP, MONITOR], { x: 100, y: 50, width: 1000, height: 700 }],
    ['fits the second monitor', state(2000, 0), [LAPTOP, MONITOR], { x: 2000, y: 0, width: 1000, height: 700 }],
    ['was on a monitor now unplugged', state(2000, 0), [LAPTOP], { width: 1000, height: 700 }],
    ['straddles two displays', state(1000, 0), [LAPTOP, MONITOR], { width: 1000, height: 700 }],
    ['is larger than the primary display', state(2000, 0, 2400, 1300), [LAPTOP], DEFAULT_WINDOW_SIZE],
    ['is below the minimum size', state(0, 0, 300, 200), [LAPTOP], DEFAULT_WINDOW_SIZE],
    ['was never saved', undefined, [LAPTOP], DEFAULT_WINDOW_SIZE],
  ])('a window that %s', (_case, saved, workAreas, expected) => {
    expect(restoreBounds(saved, workAreas)).toEqual(expected);
  });
});

describe('window state file', () => {
  it('round-trips the normal bounds and maximised state, leaving no temporary file', () => {
    const file = join(folder, 'nested', 'window-state.json');
    saveWindowState(file, { getNormalBounds: () => ({ x: 10, y: 20, width: 800, height: 600 }), isMaximized: () => true });
    expect(readWindowState(file)).toEqual({ x: 10, y: 20, width: 800, height: 600, maximized: true });
    expect(readdirSync(join(folder, 'nested'))).toEqual(['window-state.json']);
  });

  it.each([
    ['missing', undefined],
    ['not JSON', '{"x": 1,'],
    ['of the wrong shape', '{"x": "10", "y": 0, "width": 800, "height": 600, "maximized": false}'],
    ['fractional', '{"x": 0.5, "y": 0, "width": 800, "height": 600, "maximized": false}'],
  ])('treats a file that is %s as absent', (_case, text) => {
    const file = join(folder, `state-${_case.replaceAll(' ', '-')}.json`);
    if (text !== undefined) writeFileSync(file, text);
    expect(existsSync(file)).toBe(text !== undefined);
    expect(readWindowState(file)).toBeUndefined();
  });
});
