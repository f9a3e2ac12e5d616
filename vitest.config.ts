import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { UI_WAIT } from './test/browser/waits.js';

// Tests mirror the source tree under test/. Model training on wasm is slow on two cores,
// so the per-test timeout is generous; speed itself is measured in `npm run bench`, not here.
// Hooks start servers and browsers, which can take minutes on a busy machine.

/** A test file that drives Chromium imports one of these helpers. */
const CHROMIUM_HELPERS = /from '[./]*(browser|renderer)?\/?(chromium|browser-page|serve-and-chromium)\.js'/;

function testFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * Files that start Chromium run one at a time, after the rest: a browser is several busy processes, and its
 * waits are sized for a loaded machine, not for one also running another test file. Everything else runs two
 * files at a time (each file is its own process, with its own settings folder: test/settings-folder.ts).
 */
const browserFiles = testFiles('test').filter((file) => CHROMIUM_HELPERS.test(readFileSync(file, 'utf8')));

const shared = {
  testTimeout: 120_000,
  hookTimeout: 240_000,
  pool: 'forks' as const,
  // expect.poll waits for what a page or a process promises; on a loaded 2-core machine that can take seconds.
  expect: { poll: { timeout: UI_WAIT } },
  setupFiles: ['test/settings-folder.ts'],
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'engine', include: ['test/**/*.test.ts'], exclude: browserFiles, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'browser', include: browserFiles, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
