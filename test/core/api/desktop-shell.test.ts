import { describe, expect, it } from 'vitest';
import { closeWarning, parseAppCommand, parseDocumentState } from '../../../core/api/desktop-shell.js';

describe('app commands', () => {
  it.each([
    { type: 'new-project' },
    { type: 'open-project', path: '/home/u/a.pruneflow' },
    { type: 'save-project', path: 'C:\\p\\a.pruneflow' },
    { type: 'export-model' },
    { type: 'engine-crashed', message: 'The engine stopped unexpectedly (exit code 7).' },
  ])('accepts $type', (command) => {
    expect(parseAppCommand(command)).toEqual(command);
  });

  it.each([
    ['not an object', 'open', /expected an object/],
    ['an array', [], /expected an object/],
    ['an unknown type', { type: 'run-shell', command: 'rm -rf /' }, /unknown type "run-shell"/],
    ['a missing field', { type: 'open-project' }, /field 'path' is missing or malformed/],
    ['an empty path', { type: 'open-project', path: '' }, /field 'path'/],
    ['a NUL in a path', { type: 'open-project', path: '/tmp/a\0b.pruneflow' }, /field 'path'/],
    ['a folder for the export (chosen on the Project screen now)', { type: 'export-model', folder: '/tmp/out' }, /unknown field 'folder'/],
    ['a wrong field type', { type: 'open-project', path: 7 }, /field 'path'/],
    ['the close-after-save flag (the close prompt never saves)', { type: 'save-project', path: '/a.pruneflow', thenClose: true }, /unknown field 'thenClose'/],
    ['an extra field', { type: 'new-project', path: '/a' }, /unknown field 'path'/],
    [
      'a class instance',
      new (class {
        type = 'new-project';
      })(),
      /expected an object/,
    ],
  ])('refuses %s with InvalidShellMessageError', (_case, message, why) => {
    expect(() => parseAppCommand(message)).toThrow(why);
    expect(() => parseAppCommand(message)).toThrow(expect.objectContaining({ name: 'InvalidShellMessageError' }));
  });
});

describe('document state', () => {
  it.each([
    { dirty: true, path: null },
    { dirty: false, path: '/home/u/a.pruneflow' },
    { dirty: true, path: '/a.pruneflow', work: 'running-session' },
  ])('accepts %o', (state) => {
    expect(parseDocumentState(state)).toEqual(state);
  });

  it.each([
    [{ dirty: 1, path: null }, /'dirty'/],
    [{ dirty: true }, /'path'/],
    [{ dirty: true, path: 3 }, /'path'/],
    [{ dirty: true, path: null, close: true }, /unknown field 'close'/],
    [null, /expected an object/],
    [{ dirty: true, path: null, work: 'downloading' }, /'work'/],
    [{ dirty: true, path: null, work: undefined }, /'work'/],
  ])('refuses %o', (state, why) => {
    expect(() => parseDocumentState(state)).toThrow(why);
  });
});

describe('close warnings', () => {
  it('say what closing does to a run of a project, and that it can be resumed', () => {
    expect(closeWarning('running-session')).toEqual({
      message: 'A pruning run is in progress.',
      detail: 'Closing stops it; you can resume it later from its last checkpoint.',
    });
    expect(closeWarning('paused-session').message).toBe('A pruning run is paused.');
    // Without a project there is no checkpoint to resume from: the words say the result is lost.
    for (const work of ['running-task', 'unsaved-result'] as const) expect(closeWarning(work).detail).toMatch(/lost|loses/);
    // File > New asks with the same words, naming itself.
    expect(closeWarning('running-session', 'A new project').detail).toBe('A new project stops it; you can resume it later from its last checkpoint.');
  });
});
