import type { MenuItemConstructorOptions } from 'electron';
import { basename } from 'node:path';

/** What the menu's own items do; the roles (Edit, zoom, full screen, ...) are Electron's. */
export interface MenuActions {
  newProject(): void;
  open(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  save(): void;
  saveAs(): void;
  exportModel(): void;
  toggleDarkTheme(): void;
  about(): void;
  openDocs(): void;
}

export interface MenuOptions {
  appName: string;
  platform: NodeJS.Platform;
  /** Running from source: View offers Reload and the developer tools. */
  isDev: boolean;
  recent: readonly string[];
  darkTheme: boolean;
  /** A project is open: Save and Save As have something to act on (greyed out otherwise). */
  projectOpen: boolean;
}

/** The application menu as a template (Menu.buildFromTemplate builds it); rebuilt when the recent list or theme changes. */
export function buildMenuTemplate(options: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: options.appName,
      submenu: [
        { label: `About ${options.appName}`, click: () => actions.about() },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: '&File',
      submenu: [
        { label: '&New Project', accelerator: 'CmdOrCtrl+N', click: () => actions.newProject() },
        { label: '&Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
        { label: 'Open &Recent', submenu: recentSubmenu(options.recent, actions) },
        { type: 'separator' },
        { label: '&Save', accelerator: 'CmdOrCtrl+S', enabled: options.projectOpen, click: () => actions.save() },
        { label: 'Save &As…', accelerator: 'CmdOrCtrl+Shift+S', enabled: options.projectOpen, click: () => actions.saveAs() },
        { label: '&Export Pruned Model…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportModel() },
        { type: 'separator' },
        // The window's 'close' event runs the unsaved-changes prompt.
        { label: '&Close Window', role: 'close', accelerator: 'CmdOrCtrl+W' },
        ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit', label: 'E&xit' } as const]),
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'delete' },
        { type: 'separator' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&View',
      submenu: [
        ...(options.isDev ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { label: '&Dark Theme', type: 'checkbox', checked: options.darkTheme, click: () => actions.toggleDarkTheme() },
      ],
    },
    ...(mac ? [{ role: 'windowMenu' } as const] : []),
    {
      label: '&Help',
      role: 'help',
      submenu: [
        { label: `${options.appName} &Documentation`, click: () => actions.openDocs() },
        ...(mac ? [] : [{ type: 'separator' } as const, { label: `&About ${options.appName}`, click: () => actions.about() }]),
      ],
    },
  );
  return template;
}

function recentSubmenu(recent: readonly string[], actions: MenuActions): MenuItemConstructorOptions[] {
  if (recent.length === 0) return [{ label: 'No Recent Projects', enabled: false }];
  return [
    // The file name first (what people recognise), the full path as the tooltip on macOS.
    ...recent.map((path, index): MenuItemConstructorOptions => ({
      label: `${index < 9 ? `&${index + 1} ` : ''}${escapeMnemonic(basename(path))}`,
      toolTip: path,
      click: () => actions.openRecent(path),
    })),
    { type: 'separator' },
    { label: 'Clear Recently Opened', click: () => actions.clearRecent() },
  ];
}

/** A '&' in a file name would otherwise become a keyboard mnemonic on Windows and Linux. */
function escapeMnemonic(label: string): string {
  return label.replaceAll('&', '&&');
}

export interface AppVersions {
  app: string;
  electron: string;
  chromium: string;
  node: string;
  tfjs: string;
}

/** Help > About: what a bug report needs. */
export function aboutDetail(versions: AppVersions): string {
  return [
    `Version ${versions.app}`,
    '',
    `Electron ${versions.electron}`,
    `Chromium ${versions.chromium}`,
    `Node.js ${versions.node}`,
    `TensorFlow.js ${versions.tfjs}`,
  ].join('\n');
}
