import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { RecentProjectStore } from '../project/project-store.js';
import { settingsPath } from './settings.js';
import { writeFileAtomically } from './write-files.js';

export const MAX_RECENT_PROJECTS = 10;

/**
 * The recent projects list beside the settings file (`recent-projects.json`), so the CLI's `serve`
 * and the desktop app's engine share one list. Paths are kept absolute; an unreadable list is empty.
 */
export function nodeRecentProjects(file = join(dirname(settingsPath()), 'recent-projects.json')): RecentProjectStore {
  const read = async (): Promise<string[]> => {
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string' && p.length > 0).slice(0, MAX_RECENT_PROJECTS) : [];
    } catch {
      return [];
    }
  };
  // One write at a time: two quick opens must not lose one of them.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    async list() {
      const paths = await read();
      return Promise.all(
        paths.map(async (path) => ({
          path,
          found: await stat(path).then(
            (s) => s.isFile(),
            () => false,
          ),
        })),
      );
    },
    add(path) {
      const absolute = resolve(path);
      const next = queue.then(async () => {
        const paths = [absolute, ...(await read()).filter((known) => known !== absolute)].slice(0, MAX_RECENT_PROJECTS);
        await mkdir(dirname(file), { recursive: true });
        await writeFileAtomically(file, new TextEncoder().encode(`${JSON.stringify(paths, null, 2)}\n`));
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
