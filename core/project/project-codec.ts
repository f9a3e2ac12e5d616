import { PRUNEFLOW_VERSION } from '../version.js';
import type { InputContract } from '../models/input-contract.js';
import type { InputLayout } from '../models/input-layout.js';
import { decodeJson, declaredVersion, encodeJson, FORMAT_VERSION, migrate, type ProjectFiles } from './migrations.js';
import type { DatasetRef, Project, SessionRecord, StoredSession } from './project.js';
import { NotAProjectError, ProjectTamperedError, ProjectVersionError } from './project-errors.js';
import { checkProjectJson, checkSessionRecord } from './project-shape.js';
import { openProjectZip, writeZipParts, type ProjectZip } from './project-zip.js';
import { sha256Hex } from './sha256.js';

/** What the manifest's `format` field says in every project file. */
export const PROJECT_FORMAT = 'pruneflow-project';

const MANIFEST = 'manifest.json';
const PROJECT = 'project.json';
const BASELINE_JSON = 'baseline/model.json';
/** The weight file's name is the one baseline/model.json's weightsManifest lists (see exportTfjs). */
const BASELINE_WEIGHTS = 'baseline/group1-shard1of1.bin';
const sessionJson = (id: string) => `sessions/${id}/session.json`;
const sessionWeights = (id: string) => `sessions/${id}/weights.bin`;
const sessionOptimizer = (id: string) => `sessions/${id}/optimizer.bin`;

interface ManifestPart {
  sha256: string;
  bytes: number;
}

/**
 * Reads a `.pruneflow` file: the zip, the manifest, every listed part's SHA-256, then the migrations
 * from the file's version to this one. Throws the named errors of project-errors.ts; never changes `bytes`.
 */
export async function parseProject(bytes: Uint8Array, file = 'project'): Promise<Project> {
  const zip = openProjectZip(file, bytes);
  const manifestBytes = zip.read(MANIFEST);
  if (!manifestBytes) throw new NotAProjectError(file, `a zip without ${MANIFEST}: it holds ${listNames(zip.names())}`);
  let manifest: Record<string, unknown>;
  try {
    manifest = decodeJson(manifestBytes) as Record<string, unknown>;
  } catch (error) {
    throw new ProjectTamperedError(file, MANIFEST, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest) || manifest.format !== PROJECT_FORMAT) {
    throw new NotAProjectError(file, `its ${MANIFEST} is not a Pruneflow manifest`);
  }
  const version = declaredVersion(manifest);
  if (!(typeof version === 'number' && Number.isInteger(version) && version >= 1))
    throw new ProjectTamperedError(file, MANIFEST, `has no valid format version (${String(version)})`);
  if (version > FORMAT_VERSION) throw new ProjectVersionError(file, version, FORMAT_VERSION, describeApp(manifest.app));
  const parts = await checkedParts(file, manifest, zip);
  let migrated: ProjectFiles;
  try {
    migrated = migrate({ manifest, parts }, version);
  } catch (error) {
    // A migration reads fields by their old types; a file whose hashes match but whose JSON does not fit.
    throw new ProjectTamperedError(file, 'sessions', `do not fit project format version ${version} (${(error as Error).message})`);
  }
  return decode(file, migrated);
}

/** Every part the manifest lists, each checked against its SHA-256; entries it does not list are never inflated. */
async function checkedParts(file: string, manifest: Record<string, unknown>, zip: ProjectZip): Promise<Map<string, Uint8Array>> {
  const listed = manifest.parts;
  if (typeof listed !== 'object' || listed === null || Array.isArray(listed)) throw new ProjectTamperedError(file, MANIFEST, 'lists no parts');
  const parts = new Map<string, Uint8Array>();
  for (const [path, entry] of Object.entries(listed as Record<string, Partial<ManifestPart> | null>)) {
    if (typeof entry?.sha256 !== 'string') throw new ProjectTamperedError(file, MANIFEST, `lists part '${path}' without its SHA-256`);
    const data = zip.read(path);
    if (!data) throw new ProjectTamperedError(file, path, 'is listed in the manifest but missing');
    const actual = await sha256Hex(data);
    if (actual !== entry.sha256)
      throw new ProjectTamperedError(file, path, `has SHA-256 ${actual.slice(0, 16)}..., the manifest lists ${entry.sha256.slice(0, 16)}...`);
    parts.set(path, data);
  }
  return parts;
}

function decode(file: string, { manifest, parts }: ProjectFiles): Project {
  const used = new Set<string>();
  const part = (path: string) => {
    const data = parts.get(path);
    if (!data) throw new ProjectTamperedError(file, path, 'is missing from the manifest');
    used.add(path);
    return data;
  };
  const json = (path: string) => {
    let value: unknown;
    try {
      value = decodeJson(part(path));
    } catch (error) {
      if (error instanceof ProjectTamperedError) throw error;
      throw new ProjectTamperedError(file, path, `is not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProjectTamperedError(file, path, 'is not a JSON object');
    return value as Record<string, unknown>;
  };
  const { dataset, baseline, sessions, ...projectRest } = json(PROJECT) as {
    dataset: DatasetRef;
    baseline: { source: string; trainEpochs: number; inputContract?: InputContract; inputLayout?: InputLayout };
    sessions: string[];
  };
  const lacks = (path: string, what: string) => new ProjectTamperedError(file, path, `lacks ${what}`);
  if (typeof dataset?.path !== 'string' || typeof dataset.contentHash !== 'string') throw lacks(PROJECT, 'the data set (path and content hash)');
  if (typeof baseline?.source !== 'string') throw lacks(PROJECT, "the baseline's source");
  if (!Array.isArray(sessions) || !sessions.every((id) => typeof id === 'string')) throw lacks(PROJECT, 'the list of sessions');
  checkProjectJson({ dataset, baseline, sessions }, file, PROJECT);
  const stored: StoredSession[] = sessions.map((id) => {
    const record = json(sessionJson(id)) as SessionRecord;
    if (record.id !== id || !Array.isArray(record.history) || !Array.isArray(record.weightSpecs))
      throw lacks(sessionJson(id), 'its id, history or weight specs');
    checkSessionRecord(record, file, sessionJson(id));
    const optimizer = parts.has(sessionOptimizer(id)) ? part(sessionOptimizer(id)) : undefined;
    return { record, weights: part(sessionWeights(id)), ...(optimizer && { optimizer }) };
  });
  const { format: _format, formatVersion: _version, app, created, modified, parts: _parts, ...manifestRest } = manifest;
  return {
    created: String(created),
    modified: String(modified),
    appVersion: String((app as { version?: unknown } | undefined)?.version ?? 'unknown'),
    dataset,
    baseline: { ...baseline, modelJson: part(BASELINE_JSON), weights: part(BASELINE_WEIGHTS) },
    sessions: stored,
    unknown: {
      manifest: manifestRest,
      project: projectRest,
      parts: new Map([...parts].filter(([path]) => !used.has(path))),
    },
  };
}

/** The bytes of a `.pruneflow` file in the newest format; `project.modified` is written as it is. */
export async function serializeProject(project: Project): Promise<Uint8Array> {
  const parts = new Map<string, Uint8Array>(project.unknown.parts);
  const { source, trainEpochs, modelJson, weights, inputContract, inputLayout } = project.baseline;
  parts.set(
    PROJECT,
    encodeJson({
      ...project.unknown.project,
      dataset: project.dataset,
      baseline: { source, trainEpochs, ...(inputContract && { inputContract }), ...(inputLayout && { inputLayout }) },
      sessions: project.sessions.map((s) => s.record.id),
    }),
  );
  parts.set(BASELINE_JSON, modelJson);
  parts.set(BASELINE_WEIGHTS, weights);
  for (const { record, weights, optimizer } of project.sessions) {
    checkSessionId(record.id);
    parts.set(sessionJson(record.id), encodeJson(record));
    parts.set(sessionWeights(record.id), weights);
    if (optimizer) parts.set(sessionOptimizer(record.id), optimizer);
    else parts.delete(sessionOptimizer(record.id));
  }
  const listed: Record<string, ManifestPart> = {};
  for (const [path, data] of parts) listed[path] = { sha256: await sha256Hex(data), bytes: data.length };
  const manifest = {
    ...project.unknown.manifest,
    format: PROJECT_FORMAT,
    formatVersion: FORMAT_VERSION,
    app: { name: 'Pruneflow', version: PRUNEFLOW_VERSION },
    created: project.created,
    modified: project.modified,
    parts: listed,
  };
  // The manifest first: a reader that streams the zip meets the index before the parts.
  const mtime = new Date(project.modified);
  return writeZipParts(new Map([[MANIFEST, encodeJson(manifest)], ...parts]), Number.isNaN(mtime.getTime()) ? new Date() : mtime);
}

export class SessionIdError extends Error {
  override name = 'SessionIdError';
}

/** Session ids name folders inside the zip: letters, digits, '-' and '_' only. */
export function checkSessionId(id: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new SessionIdError(`Session id '${id}' must be 1-64 letters, digits, '-' or '_'`);
}

function describeApp(app: unknown): string {
  const { name = 'Pruneflow', version = 'unknown version' } = (app ?? {}) as { name?: string; version?: string };
  return `${name} ${version}`;
}

function listNames(names: string[]): string {
  return names.length === 0 ? 'nothing' : names.slice(0, 5).join(', ') + (names.length > 5 ? `, ... (${names.length} entries)` : '');
}
