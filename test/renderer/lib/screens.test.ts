import { describe, expect, it } from 'vitest';
import { availableScreens } from '../../../renderer/lib/screens.js';
import { applyTheme, loadTheme } from '../../../renderer/lib/theme.js';

const ids = (facts: Parameters<typeof availableScreens>[0]) => availableScreens(facts).map((s) => s.id);
const none = { dataChosen: false, modelChosen: false, runStarted: false, resultReady: false, projectOpened: false, comparing: false, sweepStarted: false };

describe('which screens a person can reach', () => {
  it('offers only screens with something to show', () => {
    expect(ids(none)).toEqual(['start', 'data', 'model']);
    expect(ids({ ...none, modelChosen: true })).toEqual(['start', 'data', 'model', 'flow']);
    expect(ids({ ...none, dataChosen: true, modelChosen: true })).toEqual(['start', 'data', 'model', 'setup', 'flow']);
    expect(ids({ ...none, runStarted: true })).toEqual(['start', 'data', 'model', 'run']);
    expect(ids({ ...none, dataChosen: true, modelChosen: true, runStarted: true, resultReady: true })).toEqual([
      'start',
      'data',
      'model',
      'setup',
      'run',
      'results',
      'flow',
    ]);
    expect(ids({ ...none, projectOpened: true })).toEqual(['start', 'data', 'model', 'project', 'sweep']);
    expect(ids({ ...none, projectOpened: true, comparing: true })).toEqual(['start', 'data', 'model', 'project', 'compare', 'sweep']);
    // A sweep found running (started in another window) shows before any project is open.
    expect(ids({ ...none, sweepStarted: true })).toEqual(['start', 'data', 'model', 'sweep']);
    // A reopened project's session: its flow opened from Results, with no model chosen in the wizard.
    expect(ids({ ...none, projectOpened: true, resultReady: true, flowOpened: true })).toEqual([
      'start',
      'data',
      'model',
      'results',
      'flow',
      'project',
      'sweep',
    ]);
  });

  it('gives every screen its own Alt shortcut', () => {
    const all = availableScreens({
      dataChosen: true,
      modelChosen: true,
      runStarted: true,
      resultReady: true,
      projectOpened: true,
      comparing: true,
      sweepStarted: true,
    });
    expect(new Set(all.map((s) => s.key)).size).toBe(all.length);
  });
});

describe('the theme choice', () => {
  it('is kept, applied as data-theme, and the system choice removes it', () => {
    const saved = new Map<string, string>();
    const storage = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) };
    const root = { dataset: {} as Record<string, string | undefined> };
    expect(loadTheme(storage)).toBe('system');
    applyTheme('dark', root, storage);
    expect(root.dataset.theme).toBe('dark');
    expect(loadTheme(storage)).toBe('dark');
    applyTheme('system', root, storage);
    expect(root.dataset.theme).toBeUndefined();
    saved.set('pruneflow.theme', 'purple');
    expect(loadTheme(storage)).toBe('system');
  });
});
