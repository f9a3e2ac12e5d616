import type { Project } from './project.js';

/** What a host with files offers for project files; core/node/project-file.ts is the Node one. */
export interface ProjectStore {
  /** The project saved at `path`, or undefined when no file is there. Damaged files throw their named errors. */
  load(path: string): Promise<Project | undefined>;
  /** Saves atomically: the previous file stays whole until the new one is complete. */
  save(path: string, project: Project): Promise<void>;
  /** Throws DatasetMovedError when the project's data set is no longer at its path. */
  locateDataset(project: Project): Promise<void>;
  /**
   * Before a run uses the project's data set: DatasetMovedError when it is gone, DatasetChangedError
   * when the files at its path no longer have the content hash the project recorded.
   */
  checkDataset(project: Project): Promise<void>;
  /** The project pointing at the data set at `path`, after checking its content hash (DatasetMismatchError). */
  relinkDataset(project: Project, path: string): Promise<Project>;
  /**
   * Which file is at `path` (equal for two spellings of one file), or undefined when nothing is there.
   * Save As uses it to refuse overwriting its own source; without it, paths are compared as written.
   */
  fileIdentity?(path: string): Promise<string | undefined>;
}

/** The projects opened and saved last on a host, newest first (Node: a JSON file in the settings folder). */
export interface RecentProjectStore {
  /** Each path with whether something is still there. */
  list(): Promise<{ path: string; found: boolean }[]>;
  add(path: string): Promise<void>;
}
