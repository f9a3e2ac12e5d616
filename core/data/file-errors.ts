/**
 * Named errors for the user's files, shared by every host (the page side rebuilds them by name).
 * Each message names the path and says why in words, the system's code in brackets.
 */

/** A file could not be read (no permission, a folder where a file was expected, a broken link ...). */
export class FileReadError extends Error {
  override name = 'FileReadError';
}

/** A path names a device, a FIFO or a socket: reading one could block or never end, so it is refused. */
export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
}
