import { describe, expect, it } from 'vitest';
import { FILE_NOTICES, fileNoticeTitle, fileShortcut } from '../../../renderer/lib/file-commands.js';

const keys = (key: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  key,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('the File menu on the keyboard', () => {
  it('maps Ctrl (or Cmd) with S, Shift+S, E and Alt+N', () => {
    expect(fileShortcut(keys('s', { ctrl: true }))).toBe('save');
    expect(fileShortcut(keys('S', { ctrl: true, shift: true }))).toBe('save-as');
    expect(fileShortcut(keys('s', { meta: true }))).toBe('save');
    expect(fileShortcut(keys('e', { ctrl: true }))).toBe('export');
    expect(fileShortcut(keys('n', { ctrl: true, alt: true }))).toBe('new');
  });

  it('leaves other keys to the page and the browser (Ctrl+N, Alt+1, plain letters)', () => {
    expect(fileShortcut(keys('n', { ctrl: true }))).toBeUndefined();
    expect(fileShortcut(keys('1', { alt: true }))).toBeUndefined();
    expect(fileShortcut(keys('s'))).toBeUndefined();
    expect(fileShortcut(keys('s', { ctrl: true, alt: true }))).toBeUndefined();
    expect(fileShortcut(keys('e', { ctrl: true, shift: true }))).toBeUndefined();
  });

  it('titles its notices by name, and nothing else', () => {
    expect(fileNoticeTitle(FILE_NOTICES.nothingToSave.name)).toBe('Nothing to save yet');
    expect(fileNoticeTitle('EngineCrashedError')).toBeUndefined();
  });
});
