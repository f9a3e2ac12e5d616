/**
 * How an engine in a page asks the host that owns the user's files for them: `pruneflow serve` over
 * HTTP (GET to read, POST to write; same origin, token in a header), the desktop app through its
 * preload. One request shape for both; the host checks it (core/data/host-file-requests.ts) before any
 * file is touched. Plain data and types only: the renderer, the preload and the worker import this file.
 */
import type { CallReply } from './bridge.js';
import type { FolderListing } from './contract.js';

/** 'folder' is one folder for the UI's file browser (what `listFolder` answers on a Node host); 'list' every file below one. */
export type HostFileOp = 'stat' | 'list' | 'read' | 'write' | 'folder';

export interface HostFileRequest {
  op: HostFileOp;
  /** A path as the host spells it (absolute, or relative to where the host was started); for 'folder', '' is the home folder. */
  path: string;
  /** For 'write' only: the whole file. */
  bytes?: Uint8Array;
}

/** One file below a folder: its path relative to the folder with '/' separators, and its size in bytes. */
export interface FileEntry {
  path: string;
  size: number;
}

/** What lies at a path: a file and its size, or a folder. */
export type PathInfo = { kind: 'file'; size: number } | { kind: 'folder' };

/** What each request answers: stat a PathInfo (null: nothing there), list the files below, read the bytes, folder its listing; write null. */
export type HostFileValue = PathInfo | null | FileEntry[] | Uint8Array | FolderListing;

/** `serve`'s endpoint: GET (POST for write) /host-files/<op>?path=...; the token travels in a header, never in a URL. */
export const HOST_FILES_PATH = '/host-files/';
export const HOST_FILES_TOKEN_HEADER = 'x-pruneflow-token';

export const HOST_FILE_OPS: readonly HostFileOp[] = ['stat', 'list', 'read', 'write', 'folder'];

export class HostFileRequestError extends Error {
  override name = 'HostFileRequestError';
}

/** What the desktop app's preload exposes as `window.pruneflowFiles`: one request, its reply unthrown. */
export type HostFileBridge = (request: HostFileRequest) => Promise<CallReply<HostFileValue>>;
