import { readJsonFile, writeJsonFileAtomically } from './json-file.js';

export const MAX_RECENT_FILES = 10;

/** The OS's own recent-documents list (Windows jump list, macOS Dock menu); absent on Linux. */
export interface OsRecentDocuments {
  addRecentDocument?(path: string): void;
  clearRecentDocuments?(): void;
}

/** The Open Recent list: newest first, no duplicates, at most ten, kept in a JSON file under userData. */
export class RecentFiles {
  #paths: string[];

  constructor(
    private readonly file: string,
    private readonly os: OsRecentDocuments = {},
  ) {
    this.#paths =
      readJsonFile(file, (value) =>
        Array.isArray(value) ? value.filter((path): path is string => typeof path === 'string' && path.length > 0) : undefined,
      )?.slice(0, MAX_RECENT_FILES) ?? [];
  }

  get paths(): readonly string[] {
    return this.#paths;
  }

  add(path: string): void {
    this.#paths = [path, ...this.#paths.filter((known) => known !== path)].slice(0, MAX_RECENT_FILES);
    this.os.addRecentDocument?.(path);
    writeJsonFileAtomically(this.file, this.#paths);
  }

  clear(): void {
    this.#paths = [];
    this.os.clearRecentDocuments?.();
    writeJsonFileAtomically(this.file, this.#paths);
  }
}
