import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { aboutDetail, buildMenuTemplate, type MenuActions, type MenuOptions } from '../../electron/app-menu.js';
import { click, menuItem } from './fake-electron.js';

function build(options: Partial<MenuOptions> = {}) {
  const calls: string[] = [];
  const record = (name: string) => (arg?: string) => void calls.push(arg === undefined ? name : `${name} ${arg}`);
  const actions: MenuActions = {
    newProject: record('new'),
    open: record('open'),
    openRecent: record('recent'),
    clearRecent: record('clear'),
    save: record('save'),
    saveAs: record('save-as'),
    exportModel: record('export'),
    toggleDarkTheme: record('theme'),
    about: record('about'),
    openDocs: record('docs'),
  };
  const template = buildMenuTemplate(
    { appName: 'Pruneflow', platform: 'linux', isDev: false, recent: [], darkTheme: false, projectOpen: true, ...options },
    actions,
  );
  return { template, calls };
}

const labels = (items: MenuItemConstructorOptions[]) => items.map((item) => item.label?.replaceAll('&', '') ?? item.role ?? item.type);

describe('application menu', () => {
  it('runs each File action from its item', () => {
    const { template, calls } = build();
    for (const label of ['New Project', 'Open…', 'Save', 'Save As…', 'Export Pruned Model…']) click(menuItem(template, ['File', label]));
    expect(calls).toEqual(['new', 'open', 'save', 'save-as', 'export']);
    expect(menuItem(template, ['File', 'Close Window']).role).toBe('close');
    expect(labels(menuItem(template, ['Edit']).submenu as MenuItemConstructorOptions[])).toEqual([
      'undo',
      'redo',
      'separator',
      'cut',
      'copy',
      'paste',
      'delete',
      'separator',
      'selectAll',
    ]);
  });

  it('greys out Save and Save As while no project is open', () => {
    const closed = build({ projectOpen: false });
    expect(menuItem(closed.template, ['File', 'Save']).enabled).toBe(false);
    expect(menuItem(closed.template, ['File', 'Save As…']).enabled).toBe(false);
    expect(menuItem(build().template, ['File', 'Save']).enabled).toBe(true);
  });

  it('puts About under Help and Exit under File, except on macOS where they live in the app menu', () => {
    const linux = build();
    expect(labels(linux.template)).toEqual(['File', 'Edit', 'View', 'Help']);
    expect(menuItem(linux.template, ['File', 'Exit']).role).toBe('quit');
    click(menuItem(linux.template, ['Help', 'About Pruneflow']));
    click(menuItem(linux.template, ['Help', 'Pruneflow Documentation']));
    expect(linux.calls).toEqual(['about', 'docs']);

    const mac = build({ platform: 'darwin' });
    expect(labels(mac.template)).toEqual(['Pruneflow', 'File', 'Edit', 'View', 'windowMenu', 'Help']);
    expect(labels(menuItem(mac.template, ['File']).submenu as MenuItemConstructorOptions[])).not.toContain('Exit');
    expect(labels(menuItem(mac.template, ['Help']).submenu as MenuItemConstructorOptions[])).toEqual(['Pruneflow Documentation']);
    expect((menuItem(mac.template, ['Pruneflow']).submenu as MenuItemConstructorOptions[]).at(-1)!.role).toBe('quit');
  });

  it('numbers recent files by name, keeps the path as tooltip and escapes "&"', () => {
    const { template, calls } = build({ recent: ['/p/a.pruneflow', '/q/R&D.pruneflow'] });
    const items = menuItem(template, ['File', 'Open Recent']).submenu as MenuItemConstructorOptions[];
    expect(items.map((item) => [item.label, item.toolTip])).toEqual([
      ['&1 a.pruneflow', '/p/a.pruneflow'],
      ['&2 R&&D.pruneflow', '/q/R&D.pruneflow'],
      [undefined, undefined],
      ['Clear Recently Opened', undefined],
    ]);
    click(items[1]!);
    click(items[3]!);
    expect(calls).toEqual(['recent /q/R&D.pruneflow', 'clear']);
  });

  it('shows the dark theme as a checkbox', () => {
    expect(menuItem(build({ darkTheme: true }).template, ['View', 'Dark Theme'])).toMatchObject({ type: 'checkbox', checked: true });
  });

  it('says in About what a bug report needs', () => {
    expect(aboutDetail({ app: '1.2.3', electron: '45.5.0', chromium: '140.0', node: '22.20.0', tfjs: '4.22.0' }).split('\n')).toEqual([
      'Version 1.2.3',
      '',
      'Electron 45.5.0',
      'Chromium 140.0',
      'Node.js 22.20.0',
      'TensorFlow.js 4.22.0',
    ]);
  });
});
