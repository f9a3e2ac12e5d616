/** Named errors of project files (.pruneflow): each says which file and, where it knows, which part. */

/** Not a complete zip: the save that wrote it stopped early, or bytes were cut off in a copy. */
export class ProjectTruncatedError extends Error {
  override name = 'ProjectTruncatedError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file} is not a complete project file (${detail}): it was cut off, e.g. by an interrupted copy or download`);
  }
}

/** A part whose bytes do not match the hash the manifest lists for it. */
export class ProjectTamperedError extends Error {
  override name = 'ProjectTamperedError';
  constructor(
    readonly file: string,
    readonly part: string,
    detail: string,
  ) {
    super(`${file}: part '${part}' ${detail}: the file was changed or damaged after Pruneflow saved it`);
  }
}

/** Some other file: not a zip, or a zip without a Pruneflow manifest. */
export class NotAProjectError extends Error {
  override name = 'NotAProjectError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file} is not a Pruneflow project (${detail}). What to do: open a .pruneflow file that Pruneflow saved, or start a new project and save it`);
  }
}

/** Written by a newer Pruneflow, in a format version this one does not know. */
export class ProjectVersionError extends Error {
  override name = 'ProjectVersionError';
  constructor(
    readonly file: string,
    readonly version: number,
    readonly newest: number,
    writtenBy: string,
  ) {
    super(
      `${file} has project format version ${version} (written by ${writtenBy}); this Pruneflow reads versions up to ${newest}: update Pruneflow to open it`,
    );
  }
}

/** The data set is no longer where the project says; a host can ask the user for its new place. */
export class DatasetMovedError extends Error {
  override name = 'DatasetMovedError';
  constructor(
    readonly path: string,
    readonly contentHash: string,
  ) {
    super(`The project's data set is no longer at ${path}: point Pruneflow at its new place (its content must match ${contentHash})`);
  }
}

/** A data set offered as the project's, whose content differs from the one the project was made with. */
export class DatasetMismatchError extends Error {
  override name = 'DatasetMismatchError';
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${path} is not the project's data set: its content hash is ${found}, the project's is ${expected}`);
  }
}

/** The data set at the project's path whose files changed since the project was made (same path, other content). */
export class DatasetChangedError extends Error {
  override name = 'DatasetChangedError';
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      `The data set at ${path} has changed since the project was made: its content hash is ${found}, the project's is ${expected}. ` +
        'Put the original files back, or start a new project with this data: results would not be comparable',
    );
  }
}

/** A session's pruning history that does not fit the model it is replayed on. */
export class ReplayError extends Error {
  override name = 'ReplayError';
}

/** No project file at the path given. */
export class ProjectNotFoundError extends Error {
  override name = 'ProjectNotFoundError';
}

/** Save As to the file being copied: the copy would replace its own source. */
export class SaveOverSourceError extends Error {
  override name = 'SaveOverSourceError';
  constructor(readonly file: string) {
    super(`${file} is the open project itself: Save As needs another file name`);
  }
}

/** Save As to a file that exists, without being told to replace it. */
export class ProjectExistsError extends Error {
  override name = 'ProjectExistsError';
  constructor(readonly file: string) {
    super(`${file} already exists: choose another name, or confirm that it should be replaced`);
  }
}

/** A project path that does not end in .pruneflow (the desktop app opens only those by double-click). */
export class ProjectPathError extends Error {
  override name = 'ProjectPathError';
  constructor(readonly file: string) {
    super(`${file} does not end in .pruneflow: project files need that extension`);
  }
}
