import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run.js';

// `npm test` passes on a fresh clone with nothing beside it: tests read only what the repository has or
// makes. Benchmarks (test/bench/*.ts, not their tests) may read the large data sets and say so in the README.
const OUTSIDE = [/\.\.\/shared\b/, /\/usr\/share\/datasets/, /cifar10-subset\//];

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mjs|js)$/.test(entry.name) ? [relative(ROOT, path)] : [];
  });
}

describe('tests on a fresh clone', () => {
  it('read no data from beside the checkout or from the system', () => {
    const files = sources(join(ROOT, 'test')).filter(
      (file) => !(file.startsWith('test/bench/') && !file.endsWith('.test.ts')) && !file.startsWith('test/fixtures/'),
    );
    expect(files.length).toBeGreaterThan(100);
    const offending = files.flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return OUTSIDE.filter((pattern) => pattern.test(text)).map((pattern) => `${file}: ${pattern}`);
    });
    expect(offending).toEqual([]);
  });
});
