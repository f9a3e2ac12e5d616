import { readJsonFile, writeJsonFileAtomically } from './json-file.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What is remembered of the main window between runs. */
export interface WindowState extends Rect {
  maximized: boolean;
}

/** The parts of a BrowserWindow whose state is saved; tests pass a fake. */
export interface StatefulWindow {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
}

export const DEFAULT_WINDOW_SIZE = { width: 1100, height: 760 };
export const MIN_WINDOW_SIZE = { width: 720, height: 520 };

export function readWindowState(file: string): WindowState | undefined {
  return readJsonFile(file, (value) => {
    if (typeof value !== 'object' || value === null) return undefined;
    const { x, y, width, height, maximized } = value as Record<string, unknown>;
    const numbers = [x, y, width, height];
    if (!numbers.every((n) => Number.isSafeInteger(n)) || typeof maximized !== 'boolean') return undefined;
    return { x, y, width, height, maximized } as WindowState;
  });
}

export function saveWindowState(file: string, window: StatefulWindow): void {
  // Normal bounds: a maximised window remembers the size it returns to, not the screen's.
  const { x, y, width, height } = window.getNormalBounds();
  writeJsonFileAtomically(file, { x, y, width, height, maximized: window.isMaximized() } satisfies WindowState);
}

/**
 * The bounds to open the window with. The saved place is used only if the whole window lies on one
 * current display's work area (a monitor may have been unplugged since); else the saved size, centred,
 * if it fits the primary display (the first work area); else the default size.
 */
export function restoreBounds(saved: WindowState | undefined, workAreas: Rect[]): Partial<Rect> & { width: number; height: number } {
  if (!saved || saved.width < MIN_WINDOW_SIZE.width || saved.height < MIN_WINDOW_SIZE.height) return { ...DEFAULT_WINDOW_SIZE };
  const { x, y, width, height } = saved;
  if (workAreas.some((area) => contains(area, saved))) return { x, y, width, height };
  const primary = workAreas[0];
  if (primary && width <= primary.width && height <= primary.height) return { width, height };
  return { ...DEFAULT_WINDOW_SIZE };
}

function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}
