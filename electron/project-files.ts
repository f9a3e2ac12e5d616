import { isAbsolute, resolve } from 'node:path';

export const PROJECT_EXTENSION = '.pruneflow';

/**
 * The project files named on a command line: what the OS passes when a `.pruneflow` file is
 * double-clicked (Windows, Linux) or the user runs `pruneflow path/to/x.pruneflow`. Options (also
 * the ones Chromium adds to a second instance's argv) and anything that is not a project file are
 * skipped, so `electron .` in development finds none. Relative paths resolve against the folder the
 * launch came from.
 */
export function projectFilesInArgv(argv: readonly string[], workingDirectory: string): string[] {
  return argv
    .slice(1)
    .filter((arg) => !arg.startsWith('-') && isProjectFile(arg))
    .map((arg) => (isAbsolute(arg) ? arg : resolve(workingDirectory, arg)));
}

export function isProjectFile(path: string): boolean {
  return path.toLowerCase().endsWith(PROJECT_EXTENSION) && path.length > PROJECT_EXTENSION.length;
}
