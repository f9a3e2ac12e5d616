import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../build/run.js';
import { ADVICE, adviceFor } from '../../../renderer/lib/error-advice.js';

/** Every error name raised in the sources: `override name = 'X'` in a class, `name: 'X'` in a serialised error. */
function raisedNames(): Set<string> {
  const names = new Set<string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/name(?: =|:) '([A-Za-z]+Error)'/g)) names.add(m[1]);
    }
  };
  for (const folder of ['core', 'electron', 'renderer']) walk(join(ROOT, folder));
  return names;
}

describe('what to do next about an error', () => {
  it('is only given for errors that exist, so a renamed error cannot silently lose its advice', () => {
    const raised = raisedNames();
    expect(Object.keys(ADVICE).filter((name) => !raised.has(name))).toEqual([]);
  });

  it('covers the errors a person meets choosing data and models, and stays quiet for unknown ones', () => {
    for (const name of ['DatasetNotFoundError', 'DatasetFormatError', 'DatasetNotRecognisedError', 'UnknownModelError', 'BudgetError']) {
      expect(adviceFor({ name, message: '' })).toBeTruthy();
    }
    expect(adviceFor({ name: 'SomethingElseError', message: '' })).toBeUndefined();
  });
});
