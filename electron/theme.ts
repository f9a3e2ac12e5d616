import { readJsonFile, writeJsonFileAtomically } from './json-file.js';

export type ThemeSource = 'system' | 'light' | 'dark';

/** The parts of Electron's nativeTheme used here. Setting its source switches `prefers-color-scheme` in every page. */
export interface NativeThemeLike {
  themeSource: ThemeSource;
  readonly shouldUseDarkColors: boolean;
}

/** Applies the saved theme (the system's until the user picks one). */
export function restoreTheme(file: string, nativeTheme: NativeThemeLike): void {
  nativeTheme.themeSource = readJsonFile(file, (value) => (value === 'light' || value === 'dark' ? value : undefined)) ?? 'system';
}

/** View > Dark Theme: flips between light and dark and remembers the choice. */
export function toggleDarkTheme(file: string, nativeTheme: NativeThemeLike): void {
  const next: ThemeSource = nativeTheme.shouldUseDarkColors ? 'light' : 'dark';
  nativeTheme.themeSource = next;
  writeJsonFileAtomically(file, next);
}
