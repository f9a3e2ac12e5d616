import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { hashFileTree } from '../project/dataset-hash.js';
import type { Project } from '../project/project.js';
import { parseProject, serializeProject } from '../project/project-codec.js';
import { DatasetMismatchError, DatasetMovedError, ProjectNotFoundError } from '../project/project-errors.js';
import type { ProjectStore } from '../project/project-store.js';
import { asBytes } from './bytes.js';
import { openDataSource } from './open-data-source.js';
import { type AtomicWriteOptions, writeFileAtomically } from './write-files.js';

export { ProjectNotFoundError };

/** Reads and checks a project file (see parseProject for the named errors). Only reads: never writes. */
export async function loadProjectFile(path: string): Promise<Project> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new ProjectNotFoundError(`${path}: no such project file`);
    throw error;
  });
  return parseProject(asBytes(bytes), path);
}

/** Saves atomically (write beside, flush, rename), keeping an existing file's permissions. */
export async function saveProjectFile(path: string, project: Project, options?: AtomicWriteOptions): Promise<void> {
  await writeFileAtomically(path, await serializeProject(project), options);
}

/** Throws DatasetMovedError, with the old path and content hash, when the data set is not where the project says. */
export async function locateDataset(project: Project): Promise<void> {
  const { path, contentHash } = project.dataset;
  if (path.startsWith('builtin:')) return; // bundled with the app: it cannot move
  const found = await stat(path).then(() => true, () => false);
  if (!found) throw new DatasetMovedError(path, contentHash);
}

/** The project with its data set at `path`, once that data set's content hash matches the project's. */
export async function relinkDataset(project: Project, path: string): Promise<Project> {
  const { contentHash } = await hashFileTree(await openDataSource(path));
  if (contentHash !== project.dataset.contentHash) throw new DatasetMismatchError(path, project.dataset.contentHash, contentHash);
  return { ...project, dataset: { ...project.dataset, path } };
}

/** Project files on this machine's disk, for the engine (RunHost.projects). */
export const nodeProjectStore: ProjectStore = {
  load: (path) => loadProjectFile(path).catch((error: unknown) => {
    if (error instanceof ProjectNotFoundError) return undefined;
    throw error;
  }),
  save: (path, project) => saveProjectFile(path, project),
  locateDataset,
  relinkDataset,
  // Device and inode: a relative path, a symbolic link or another spelling of one file are the same file.
  fileIdentity: (path) => stat(resolve(path)).then((s) => `${s.dev}:${s.ino}`, () => undefined),
};
