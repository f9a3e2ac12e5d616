/** Light, dark, or the system's choice; kept in the page's storage and applied as `data-theme` on <html>. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'pruneflow.theme';
export const THEME_CHOICES: ThemeChoice[] = ['system', 'light', 'dark'];

export function loadTheme(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): ThemeChoice {
  const saved = storage?.getItem(KEY);
  return THEME_CHOICES.includes(saved as ThemeChoice) ? (saved as ThemeChoice) : 'system';
}

export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  storage?.setItem(KEY, choice);
}
