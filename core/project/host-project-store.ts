import { FileWriteError, type HostFiles, openDataTree } from '../data/host-files.js';
import { checkWritePath, hasControlCharacter, WriteRefusedError } from '../data/write-policy.js';
import { hashFileTree } from './dataset-hash.js';
import { parseProject, serializeProject } from './project-codec.js';
import { DatasetChangedError, DatasetMismatchError, DatasetMovedError } from './project-errors.js';
import type { ProjectStore } from './project-store.js';

/**
 * Project files through the host that owns them, for an engine that has no disk of its own (a worker of
 * the app's page): read and written as whole files, the host writing atomically.
 */
export function hostProjectStore(files: HostFiles): ProjectStore {
  return {
    async load(path) {
      if ((await files.stat(path))?.kind !== 'file') return undefined;
      return parseProject(await files.read(path), path);
    },
    async save(path, project) {
      if (!files.write) throw new FileWriteError(`${path}: this host lends its files for reading only`);
      await files.write(path, await serializeProject(project));
    },
    async locateDataset(project) {
      const { path, contentHash } = project.dataset;
      if (path.startsWith('builtin:')) return; // bundled with the app: it cannot move
      if (!(await files.stat(path))) throw new DatasetMovedError(path, contentHash);
    },
    async checkDataset(project) {
      const { path, contentHash } = project.dataset;
      if (path.startsWith('builtin:')) return;
      if (!(await files.stat(path))) throw new DatasetMovedError(path, contentHash);
      const found = (await hashFileTree(await openDataTree(files, path))).contentHash;
      if (found !== contentHash) throw new DatasetChangedError(path, contentHash, found);
    },
    async relinkDataset(project, path) {
      const { contentHash } = await hashFileTree(await openDataTree(files, path));
      if (contentHash !== project.dataset.contentHash) throw new DatasetMismatchError(path, project.dataset.contentHash, contentHash);
      return { ...project, dataset: { ...project.dataset, path } };
    },
  };
}

/** RunHost.writeFiles (exported models, reports) through the host's files: each file whole, into `folder`. */
export function hostFileWriter(files: HostFiles): (folder: string, written: { name: string; bytes: Uint8Array }[]) => Promise<string[]> {
  return async (folder, written) => {
    if (!files.write) throw new FileWriteError(`${folder}: this host lends its files for reading only`);
    const paths: string[] = [];
    for (const { name, bytes } of written) {
      if (/[\\/]/.test(name) || name.startsWith('.') || hasControlCharacter(name))
        throw new WriteRefusedError(`Refusing to write ${JSON.stringify(name)} into ${folder}`);
      const path = `${folder.replace(/[\\/]+$/, '')}/${name}`;
      await files.write(path, bytes);
      paths.push(path);
    }
    return paths;
  };
}

/**
 * RunHost.checkWrite for an engine in a page: the page's write policy on the path as spelt, and what is
 * there already; the host checks again, on the real path, when the file is written.
 */
export function hostWriteCheck(files: HostFiles): (path: string, kind: 'file' | 'folder') => Promise<void> {
  return async (path, kind) => {
    if (!files.write) throw new FileWriteError(`${path}: this host lends its files for reading only`);
    checkWritePath(path, 'page', kind === 'folder');
    const info = await files.stat(path);
    if (info && info.kind !== kind) {
      throw new FileWriteError(
        kind === 'folder'
          ? `${path}: a file is there, not a folder; files are written into a folder, so choose a folder or a new name.`
          : `${path}: a folder is there, not a file; choose another name.`,
      );
    }
  };
}
