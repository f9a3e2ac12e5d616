import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { UI_WAIT } from './test/browser/waits.js';

// Tests mirror the source tree under test/. Model training on wasm is slow on two cores,
// so the per-test timeout is generous; speed itself is measured in `npm run bench`, not here.
// Hooks start servers and browsers, which can take minutes on a busy machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
    // expect.poll waits for what a page or a process promises; on a loaded 2-core machine that can take seconds.
    expect: { poll: { timeout: UI_WAIT } },
    // Settings, recent projects and the sensitivity cache go to a folder of this run, not the user's.
    env: { PRUNEFLOW_SETTINGS: join(mkdtempSync(join(tmpdir(), 'pruneflow-test-settings-')), 'settings.json') },
  },
});
