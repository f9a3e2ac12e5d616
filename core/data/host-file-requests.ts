/**
 * Both ends of a page's file requests (core/api/host-files-protocol.ts): the host checks a request and
 * answers it from its files; an engine in a page reads its files through whatever carries the requests.
 */
import type { CallReply } from '../api/bridge.js';
import { deserializeError } from '../api/errors.js';
import type { FolderListing } from '../api/contract.js';
import {
  type FileEntry,
  HOST_FILE_OPS,
  type HostFileOp,
  type HostFileRequest,
  HostFileRequestError,
  type HostFileValue,
  type PathInfo,
} from '../api/host-files-protocol.js';
import type { HostFiles } from './host-files.js';
import { writeRefusal, WriteRefusedError } from './write-policy.js';

const OPS: readonly string[] = HOST_FILE_OPS;
const MAX_PATH_LENGTH = 4096;

/** A request from an untrusted side as a HostFileRequest, or a HostFileRequestError saying what is wrong. */
export function parseHostFileRequest(value: unknown): HostFileRequest {
  if (typeof value !== 'object' || value === null) throw new HostFileRequestError('A file request is an object { op, path }.');
  const { op, path, bytes } = value as Record<string, unknown>;
  if (typeof op !== 'string' || !OPS.includes(op))
    throw new HostFileRequestError(`A file request's op is one of ${OPS.join(', ')}, not ${JSON.stringify(op)}.`);
  // Only the file browser's first look has no path yet: it starts in the home folder.
  const empty = typeof path === 'string' && path.length === 0 && op === 'folder';
  if (typeof path !== 'string' || (path.length === 0 && !empty) || path.length > MAX_PATH_LENGTH || path.includes('\0')) {
    throw new HostFileRequestError(`A file request's path is a non-empty string of at most ${MAX_PATH_LENGTH} characters without NUL.`);
  }
  if (op === 'write') {
    if (!(bytes instanceof Uint8Array)) throw new HostFileRequestError(`A write request carries the file's bytes (a Uint8Array) for ${path}.`);
    // Refused here already, before the file is touched; the host checks again on the real path as it writes.
    const refusal = writeRefusal(path, 'page');
    if (refusal) throw new WriteRefusedError(refusal);
    return { op, path, bytes };
  }
  if (bytes !== undefined) throw new HostFileRequestError(`Only a write request carries bytes, not ${op}.`);
  return { op: op as HostFileOp, path };
}

/** The host's side: one checked request answered from its files. */
export async function answerHostFile(files: HostFiles, request: HostFileRequest): Promise<HostFileValue> {
  if (request.op === 'stat') return (await files.stat(request.path)) ?? null;
  if (request.op === 'list') return files.list(request.path);
  if (request.op === 'folder') {
    if (!files.listFolder) throw new HostFileRequestError(`This host lends no folder listings; ${request.path || 'the home folder'} was not listed.`);
    return files.listFolder(request.path);
  }
  if (request.op === 'write') {
    if (!files.write) throw new HostFileRequestError(`This host lends its files for reading only; ${request.path} was not written.`);
    await files.write(request.path, request.bytes!);
    return null;
  }
  return files.read(request.path);
}

/** The engine's side: HostFiles over whatever carries a request to the host and its reply back. */
export function hostFilesOver(ask: (request: HostFileRequest) => Promise<CallReply<HostFileValue>>): HostFiles {
  const value = async <T extends HostFileValue>(request: HostFileRequest) => {
    const reply = await ask(request);
    if (!reply.ok) throw deserializeError(reply.error);
    return reply.value as T;
  };
  return {
    stat: async (path) => (await value<PathInfo | null>({ op: 'stat', path })) ?? undefined,
    list: (path) => value<FileEntry[]>({ op: 'list', path }),
    read: (path) => value<Uint8Array>({ op: 'read', path }),
    write: async (path, bytes) => void (await value<null>({ op: 'write', path, bytes })),
    listFolder: (path) => value<FolderListing>({ op: 'folder', path }),
  };
}
