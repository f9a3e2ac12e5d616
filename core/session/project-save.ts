import type { RecentProject, SavedProject } from '../api/contract.js';
import { ProjectExistsError, ProjectNotFoundError, ProjectPathError, SaveOverSourceError } from '../project/project-errors.js';
import type { Project } from '../project/project.js';
import type { ProjectStore, RecentProjectStore } from '../project/project-store.js';
import { ProjectHostError } from './project-session.js';

/** What File > Save and Save As need from the host: project files, and where recent ones are listed. */
export interface ProjectSaveHost {
  projects?: ProjectStore;
  recent?: RecentProjectStore;
}

const PROJECT_EXTENSION = '.pruneflow';

/**
 * File > Save. Every change to a project (a session's start, checkpoints, its end) is written as it
 * happens, so nothing is pending: reading the file back, integrity hashes included, confirms it is
 * whole and current.
 */
export async function saveProject(path: string, host: ProjectSaveHost): Promise<SavedProject> {
  const project = await loadProject(path, host);
  await remember(path, host);
  return saved(path, project);
}

/**
 * File > Save As: the project at `from`, checked, written whole to `to` by the host's atomic save (the
 * copy is complete or absent). Never over its own source; over another file only with `overwrite`.
 */
export async function saveProjectAs(from: string, to: string, overwrite: boolean, host: ProjectSaveHost): Promise<SavedProject> {
  if (!to.toLowerCase().endsWith(PROJECT_EXTENSION)) throw new ProjectPathError(to);
  const store = requireStore(host);
  const [source, target] = store.fileIdentity ? await Promise.all([store.fileIdentity(from), store.fileIdentity(to)]) : [from, undefined];
  if (from === to || (target !== undefined && source === target)) throw new SaveOverSourceError(to);
  const project = await loadProject(from, host);
  const exists = store.fileIdentity ? target !== undefined : await store.load(to).then(Boolean, () => true);
  if (exists && !overwrite) throw new ProjectExistsError(to);
  await store.save(to, project);
  await remember(to, host);
  return saved(to, project);
}

/** Newest first, each with whether it is still there; a host without a list has none. */
export async function recentProjects(host: ProjectSaveHost): Promise<RecentProject[]> {
  const entries = (await host.recent?.list()) ?? [];
  return entries.map(({ path, found }) => ({ path, name: path.split(/[\\/]/).at(-1) || path, found }));
}

/** Puts a project at the top of the recent list; a list that cannot be written never fails the call that opened or saved it. */
export async function remember(path: string, host: ProjectSaveHost): Promise<void> {
  await host.recent?.add(path).catch(() => undefined);
}

function requireStore(host: ProjectSaveHost): ProjectStore {
  if (!host.projects) throw new ProjectHostError('This engine host cannot read or write project files.');
  return host.projects;
}

async function loadProject(path: string, host: ProjectSaveHost): Promise<Project> {
  const project = await requireStore(host).load(path);
  if (!project) throw new ProjectNotFoundError(`${path}: no such project file`);
  return project;
}

function saved(path: string, project: Project): SavedProject {
  return { path, modified: project.modified, sessions: project.sessions.length };
}
