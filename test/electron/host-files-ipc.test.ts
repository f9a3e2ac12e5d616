import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallReply } from '../../core/api/bridge.js';
import { nodeHostFiles } from '../../core/node/node-host-files.js';
import { registerHostFilesIpc } from '../../electron/host-files-ipc.js';
import type { InvokeEventLike, IpcMainLike } from '../../electron/ipc-bridge.js';
import { HOST_FILES_CHANNEL } from '../../electron/ipc-channels.js';

// Main's side of `window.pruneflowFiles`: the handler takes ipcMain as an argument, so it runs here on
// real files without Electron; the stand-in ipcMain only records the handler.
function setup() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
    on: () => {},
    removeAllListeners: () => {},
  };
  const disconnect = registerHostFilesIpc(ipcMain, { isTrustedSender: (url) => url.startsWith('file:///app/dist/renderer/'), files: nodeHostFiles });
  const invoke = (url: string | null, ...args: unknown[]) =>
    handlers.get(HOST_FILES_CHANNEL)!({ senderFrame: url === null ? null : { url } }, ...args) as Promise<CallReply>;
  return { invoke, disconnect, handlers };
}

const APP = 'file:///app/dist/renderer/index.html';

describe('registerHostFilesIpc', () => {
  const folder = mkdtempSync(join(tmpdir(), 'pruneflow-host-files-'));
  mkdirSync(join(folder, 'weights'));
  writeFileSync(join(folder, 'model.json'), '{"format":"layers-model"}');
  writeFileSync(join(folder, 'weights', 'group1.bin'), new Uint8Array([1, 2, 3]));

  it('reads, lists and stats files for the app page', async () => {
    const { invoke } = setup();
    const read = await invoke(APP, { op: 'read', path: join(folder, 'weights', 'group1.bin') });
    expect(read.ok).toBe(true);
    expect([...(read as { value: Uint8Array }).value]).toEqual([1, 2, 3]);
    expect(await invoke(APP, { op: 'list', path: folder })).toEqual({
      ok: true,
      value: [
        { path: 'model.json', size: 25 },
        { path: 'weights/group1.bin', size: 3 },
      ],
    });
    expect(await invoke(APP, { op: 'stat', path: folder })).toEqual({ ok: true, value: { kind: 'folder' } });
    expect(await invoke(APP, { op: 'stat', path: join(folder, 'absent') })).toEqual({ ok: true, value: null });
  });

  it('lists one folder for the file browser, as the Node engine does (parent, kinds, sizes; the home folder first)', async () => {
    const { invoke } = setup();
    expect(await invoke(APP, { op: 'folder', path: folder })).toEqual({
      ok: true,
      value: {
        path: folder,
        parent: tmpdir(),
        entries: [
          { name: 'weights', kind: 'folder' },
          { name: 'model.json', kind: 'file', size: 25 },
        ],
        truncated: 0,
      },
    });
    expect(await invoke(APP, { op: 'folder', path: '' })).toMatchObject({ ok: true, value: { path: homedir() } });
    const absent = await invoke(APP, { op: 'folder', path: join(folder, 'absent') });
    expect(absent).toMatchObject({ ok: false, error: { name: 'FolderNotFoundError', message: expect.stringContaining('absent') } });
    expect(await invoke(APP, { op: 'folder', path: join(folder, 'model.json') })).toMatchObject({ ok: false, error: { name: 'FolderNotFoundError' } });
    expect(await invoke('https://evil.example/', { op: 'folder', path: '' })).toMatchObject({ ok: false, error: { name: 'UntrustedSenderError' } });
  });

  it('writes a file for the app page (projects, exports), atomically into a new folder', async () => {
    const { invoke } = setup();
    const path = join(folder, 'saved', 'p.pruneflow');
    expect(await invoke(APP, { op: 'write', path, bytes: new Uint8Array([7, 8]) })).toEqual({ ok: true, value: null });
    expect([...readFileSync(path)]).toEqual([7, 8]);
  });

  it("writes only Pruneflow's own kinds of file, outside hidden folders, and never climbs", async () => {
    const { invoke } = setup();
    const home = join(folder, 'home');
    const refused = [
      join(home, '.bashrc'),
      join(home, 'run.sh'),
      join(home, 'notes.txt'),
      join(home, '.ssh', 'authorized_keys.json'),
      join(home, '.config', 'autostart', 'x.json'),
      `${home}/saved/../../escape.json`,
      `${home}\\..\\escape.json`,
    ];
    for (const path of refused) {
      const reply = await invoke(APP, { op: 'write', path, bytes: new Uint8Array([1]) });
      expect(reply, path).toMatchObject({ ok: false, error: { name: 'WriteRefusedError', message: expect.stringContaining(path) } });
    }
    expect(existsSync(home)).toBe(false);
    expect(existsSync(join(folder, 'escape.json'))).toBe(false);
    for (const name of ['p.pruneflow', 'model.json', 'group1-shard1of1.bin', 'm.h5', 'm.keras', 'report.html', 'report.md', 'layers.csv', 'M.JSON']) {
      expect(await invoke(APP, { op: 'write', path: join(home, 'out', name), bytes: new Uint8Array([1]) }), name).toEqual({ ok: true, value: null });
    }
    // Reading stays open to the app's page: a hidden file is read as any other.
    writeFileSync(join(home, '.hidden.txt'), 'h');
    expect(await invoke(APP, { op: 'read', path: join(home, '.hidden.txt') })).toMatchObject({ ok: true });
  });

  it.each([
    ['a foreign page', 'https://evil.example/', { op: 'read', path: '/etc/hostname' }, 'UntrustedSenderError'],
    ['a destroyed frame', null, { op: 'read', path: '/etc/hostname' }, 'UntrustedSenderError'],
    ['an unknown op', APP, { op: 'delete', path: '/tmp/x' }, 'HostFileRequestError'],
    ['a write without bytes', APP, { op: 'write', path: '/tmp/x' }, 'HostFileRequestError'],
    ['a write from a foreign page', 'https://evil.example/', { op: 'write', path: '/tmp/x', bytes: new Uint8Array(1) }, 'UntrustedSenderError'],
    ['an empty path', APP, { op: 'read', path: '' }, 'HostFileRequestError'],
    ['a folder listing with bytes', APP, { op: 'folder', path: '/tmp', bytes: new Uint8Array(1) }, 'HostFileRequestError'],
    ['a folder path with NUL', APP, { op: 'folder', path: '/tmp\0' }, 'HostFileRequestError'],
    ['a path with NUL', APP, { op: 'read', path: '/etc/hostname\0.png' }, 'HostFileRequestError'],
    ['no object', APP, 'read /etc/hostname', 'HostFileRequestError'],
  ])('refuses %s with a named error', async (_case, url, request, name) => {
    const { invoke } = setup();
    expect(await invoke(url, request)).toMatchObject({ ok: false, error: { name } });
  });

  it('refuses more than one message, says which file is missing, and disconnects', async () => {
    const { invoke, disconnect, handlers } = setup();
    expect(await invoke(APP, { op: 'read', path: folder }, 'extra')).toMatchObject({ ok: false, error: { name: 'TypeError' } });
    const missing = await invoke(APP, { op: 'read', path: join(folder, 'absent.bin') });
    expect(missing).toMatchObject({ ok: false, error: { name: 'DatasetNotFoundError', message: expect.stringContaining('absent.bin') } });
    disconnect();
    expect(handlers.has(HOST_FILES_CHANNEL)).toBe(false);
  });
});
