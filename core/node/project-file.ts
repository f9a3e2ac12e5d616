import { stat } from 'node:fs/promises';
import type { WriteCaller } from '../data/write-policy.js';
import { resolve } from 'node:path';
import { hostProjectStore } from '../project/host-project-store.js';
import type { Project } from '../project/project.js';
import { parseProject, serializeProject } from '../project/project-codec.js';
import { ProjectNotFoundError } from '../project/project-errors.js';
import type { ProjectStore } from '../project/project-store.js';
import { DatasetNotFoundError } from '../data/file-tree.js';
import { nodeHostFiles } from './node-host-files.js';
import { readRegularFile } from './read-file.js';
import type { AtomicWriteOptions } from './write-files.js';
import { policyWriter } from './write-target.js';

export { ProjectNotFoundError };

/** Reads and checks a project file (see parseProject for the named errors). Only reads: never writes. */
export async function loadProjectFile(path: string): Promise<Project> {
  const bytes = await readRegularFile(path).catch((error: unknown) => {
    if (error instanceof DatasetNotFoundError) throw new ProjectNotFoundError(`${path}: no such project file`);
    throw error;
  });
  return parseProject(bytes, path);
}

/**
 * Saves atomically (write beside, flush, rename), keeping an existing file's permissions, under the
 * write policy of whoever asked (the user at a terminal by default; a page may write only .pruneflow
 * files outside hidden folders).
 */
export async function saveProjectFile(path: string, project: Project, options?: AtomicWriteOptions, caller: WriteCaller = 'user'): Promise<void> {
  await policyWriter(caller).writeFile(path, await serializeProject(project), options);
}

const onDisk = hostProjectStore(nodeHostFiles);

/** Throws DatasetMovedError, with the old path and content hash, when the data set is not where the project says. */
export const locateDataset = onDisk.locateDataset;

/** The project with its data set at `path`, once that data set's content hash matches the project's. */
export const relinkDataset = onDisk.relinkDataset;

/** Project files on this machine's disk, for the engine (RunHost.projects), written under `caller`'s write policy. */
export function nodeProjectStoreFor(caller: WriteCaller): ProjectStore {
  return {
    load: (path) =>
      loadProjectFile(path).catch((error: unknown) => {
        if (error instanceof ProjectNotFoundError) return undefined;
        throw error;
      }),
    save: (path, project) => saveProjectFile(path, project, undefined, caller),
    locateDataset,
    checkDataset: onDisk.checkDataset,
    relinkDataset,
    // Device and inode: a relative path, a symbolic link or another spelling of one file are the same file.
    fileIdentity: (path) =>
      stat(resolve(path)).then(
        (s) => `${s.dev}:${s.ino}`,
        () => undefined,
      ),
  };
}

/** The user's own project store (the CLI at a terminal). */
export const nodeProjectStore: ProjectStore = nodeProjectStoreFor('user');
