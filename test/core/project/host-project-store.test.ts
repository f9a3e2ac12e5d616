import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostFileRequestError } from '../../../core/api/host-files-protocol.js';
import { answerHostFile, hostFilesOver, parseHostFileRequest } from '../../../core/data/host-file-requests.js';
import { wasmCandidate } from '../../../core/backend/portable-candidates.js';
import { FileWriteError, type HostFiles } from '../../../core/data/host-files.js';
import { nodeHostFiles } from '../../../core/node/node-host-files.js';
import { hostFileWriter, hostProjectStore } from '../../../core/project/host-project-store.js';
import type { Project } from '../../../core/project/project.js';
import { DatasetMovedError } from '../../../core/project/project-errors.js';
import { projectOf, tinyModel } from './project-fixture.js';

// An engine in a page writes projects through the host that owns the disk: here the request protocol
// itself carries every call (as serve's endpoint and the desktop preload do), to this machine's files.
const overProtocol: HostFiles = hostFilesOver(async (request) => {
  try {
    return { ok: true, value: await answerHostFile(nodeHostFiles, parseHostFileRequest(request)) };
  } catch (error) {
    return { ok: false, error: { name: (error as Error).name, message: (error as Error).message } };
  }
});

let home: string;
let project: Project;
beforeAll(async () => {
  await wasmCandidate.load();
  home = mkdtempSync(join(tmpdir(), 'pruneflow-host-projects-'));
  const baseline = tinyModel();
  project = await projectOf(baseline, []);
  baseline.dispose();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('projects through the host files', () => {
  it('saves a project into a new folder and loads it back', async () => {
    const store = hostProjectStore(overProtocol);
    const path = join(home, 'new folder', 'p.pruneflow');
    expect(await store.load(path)).toBeUndefined();
    await store.save(path, project);
    const loaded = await store.load(path);
    expect(loaded?.dataset).toEqual(project.dataset);
    expect(loaded?.sessions).toEqual([]);
    // Written beside and renamed: nothing half-written is left next to it.
    expect(readdirSync(join(home, 'new folder'))).toEqual(['p.pruneflow']);
  });

  it('names a moved data set and a damaged file', async () => {
    const store = hostProjectStore(overProtocol);
    await expect(store.locateDataset({ ...project, dataset: { ...project.dataset, path: join(home, 'gone') } })).rejects.toBeInstanceOf(DatasetMovedError);
    const damaged = join(home, 'damaged.pruneflow');
    writeFileSync(damaged, 'not a zip');
    await expect(store.load(damaged)).rejects.toThrow(/damaged\.pruneflow/);
  });

  it('writes exported files into a folder, never outside it', async () => {
    const write = hostFileWriter(overProtocol);
    const folder = join(home, 'export');
    expect(await write(folder, [{ name: 'model.json', bytes: new TextEncoder().encode('{}') }])).toEqual([`${folder}/model.json`]);
    await expect(write(folder, [{ name: '../escape.bin', bytes: new Uint8Array(1) }])).rejects.toMatchObject({ name: 'WriteRefusedError' });
  });

  it('refuses to write on a host that lends its files for reading only', async () => {
    const { write: _write, ...readOnly } = nodeHostFiles;
    await expect(hostProjectStore(readOnly).save(join(home, 'r.pruneflow'), project)).rejects.toBeInstanceOf(FileWriteError);
    await expect(answerHostFile(readOnly, { op: 'write', path: join(home, 'r.bin'), bytes: new Uint8Array(1) })).rejects.toBeInstanceOf(HostFileRequestError);
  });

  it('lists a folder for the file browser over the protocol, and only where the host offers it', async () => {
    const listing = await overProtocol.listFolder!(home);
    expect(listing.path).toBe(home);
    expect(listing.parent).toBe(tmpdir());
    const { listFolder: _listFolder, ...noBrowser } = nodeHostFiles;
    await expect(answerHostFile(noBrowser, { op: 'folder', path: home })).rejects.toBeInstanceOf(HostFileRequestError);
    // Only a folder listing may start from no path at all (the home folder).
    expect(parseHostFileRequest({ op: 'folder', path: '' })).toEqual({ op: 'folder', path: '' });
    expect(() => parseHostFileRequest({ op: 'stat', path: '' })).toThrow(HostFileRequestError);
  });

  it('checks write requests: bytes for a write, none for anything else', () => {
    expect(() => parseHostFileRequest({ op: 'write', path: '/tmp/x' })).toThrow(HostFileRequestError);
    expect(() => parseHostFileRequest({ op: 'write', path: '/tmp/x', bytes: 'text' })).toThrow(HostFileRequestError);
    expect(() => parseHostFileRequest({ op: 'read', path: '/tmp/x', bytes: new Uint8Array(1) })).toThrow(HostFileRequestError);
    expect(parseHostFileRequest({ op: 'write', path: '/tmp/x.pruneflow', bytes: new Uint8Array(2) })).toEqual({
      op: 'write',
      path: '/tmp/x.pruneflow',
      bytes: new Uint8Array(2),
    });
  });

  it('says which file could not be written', async () => {
    const blocker = join(home, 'a file');
    writeFileSync(blocker, 'x');
    await expect(nodeHostFiles.write!(join(blocker, 'inside.bin'), new Uint8Array(1))).rejects.toThrow(FileWriteError);
  });
});
