/** Light, dark, or the system's choice; kept in the page's storage and applied as `data-theme` on <html>. */
import { type KeyValueStore, pageStorage } from './page-storage.js';

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'pruneflow.theme';
export const THEME_CHOICES: ThemeChoice[] = ['system', 'light', 'dark'];

/** What applying a theme touches of the root element. */
export interface ThemeRoot {
  dataset: Record<string, string | undefined>;
}

export function loadTheme(storage: Pick<KeyValueStore, 'getItem'> | undefined = pageStorage()): ThemeChoice {
  const saved = storage?.getItem(KEY);
  return THEME_CHOICES.includes(saved as ThemeChoice) ? (saved as ThemeChoice) : 'system';
}

export function applyTheme(choice: ThemeChoice, root?: ThemeRoot, storage: Pick<KeyValueStore, 'setItem'> | undefined = pageStorage()): void {
  const element = root ?? (globalThis as { document?: { documentElement: ThemeRoot } }).document?.documentElement;
  if (element) {
    if (choice === 'system') delete element.dataset.theme;
    else element.dataset.theme = choice;
  }
  storage?.setItem(KEY, choice);
}
