/**
 * Project format versions and the steps between them. Each migration turns the files of version N into
 * those of N + 1; a file is migrated step by step after its hashes are checked, and saved in the newest.
 *
 * Version 1 (Pruneflow 0.1 development builds): the manifest named its version `version`, and a pruning
 * step listed the channels each group kept (`kept`), with no importance scores.
 * Version 2: the manifest says `formatVersion`; a step lists the removed channels (`removed`, which stays
 * short when little is pruned) and the importance scores of every scored group (`scores`).
 */
export interface ProjectFiles {
  manifest: Record<string, unknown>;
  /** Every part the manifest lists, by path. */
  parts: Map<string, Uint8Array>;
}

export const FORMAT_VERSION = 2;

type Migration = (files: ProjectFiles) => ProjectFiles;

/** MIGRATIONS[n] turns version n into version n + 1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: (files) => {
    const { version: _version, ...manifest } = files.manifest;
    const parts = new Map(files.parts);
    for (const [path, bytes] of files.parts) {
      if (!/^sessions\/[^/]+\/session\.json$/.test(path)) continue;
      const record = decodeJson(bytes) as { history?: { groups: { kept?: number[]; channels: number }[] }[] };
      for (const step of record.history ?? []) {
        Object.assign(step, { scores: [] });
        step.groups = step.groups.map(({ kept = [], ...group }) => ({ ...group, removed: complement(kept, group.channels) }));
      }
      parts.set(path, encodeJson(record));
    }
    return { manifest: { ...manifest, formatVersion: 2 }, parts };
  },
};

/** The version a manifest declares: `formatVersion`, or version 1's `version`. */
export function declaredVersion(manifest: Record<string, unknown>): unknown {
  return manifest.formatVersion ?? manifest.version;
}

export function migrate(files: ProjectFiles, from: number): ProjectFiles {
  let current = files;
  for (let version = from; version < FORMAT_VERSION; version++) current = MIGRATIONS[version](current);
  return current;
}

function complement(kept: readonly number[], channels: number): number[] {
  const keptSet = new Set(kept);
  return Array.from({ length: channels }, (_, c) => c).filter((c) => !keptSet.has(c));
}

export function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
