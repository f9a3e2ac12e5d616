// Vitest setup file: settings, recent projects and the sensitivity cache of each test file go to a folder of its
// own, never the user's, and never one another test file running at the same time writes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.PRUNEFLOW_SETTINGS = join(mkdtempSync(join(tmpdir(), 'pruneflow-test-settings-')), 'settings.json');
