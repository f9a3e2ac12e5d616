import { FileWriteError, type HostFiles, openDataTree } from '../data/host-files.js';
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
      if (/[\\/]/.test(name) || name.startsWith('.')) throw new FileWriteError(`Refusing to write '${name}' outside ${folder}`);
      const path = `${folder.replace(/[\\/]+$/, '')}/${name}`;
      await files.write(path, bytes);
      paths.push(path);
    }
    return paths;
  };
}
