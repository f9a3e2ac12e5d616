import type { SensitivityRow, SensitivityTable, SensitivityTrial } from './sensitivity-table.js';

const FORMAT = 'pruneflow-sensitivity';
const VERSION = 1;

export class SensitivityCacheError extends Error {
  override name = 'SensitivityCacheError';
}

/** A cache entry: the table as JSON with its format, version and key, so a stray or stale file is recognised. */
export function encodeTable(key: string, table: SensitivityTable): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ format: FORMAT, version: VERSION, key, table }));
}

/** Reads a cache entry back; anything that is not exactly a table for `key` is a SensitivityCacheError. */
export function decodeTable(bytes: Uint8Array, key: string): SensitivityTable {
  let entry: unknown;
  try {
    entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new SensitivityCacheError(`not JSON (${(error as Error).message})`);
  }
  if (!isObject(entry) || entry.format !== FORMAT) throw new SensitivityCacheError('not a sensitivity table');
  if (entry.version !== VERSION) throw new SensitivityCacheError(`format version ${String(entry.version)}, expected ${VERSION}`);
  if (entry.key !== key) throw new SensitivityCacheError('stored under another key');
  const table = entry.table;
  if (!isObject(table) || !isAccuracy(table.baseline) || !isCount(table.images) || !isList(table.ratios, isShare) || !isList(table.rows, isRow)) {
    throw new SensitivityCacheError('the table is incomplete or has values out of range');
  }
  return table as unknown as SensitivityTable;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isAccuracy = (v: unknown) => isNumber(v) && v >= 0 && v <= 1;
const isShare = (v: unknown) => isNumber(v) && v > 0 && v < 1;
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const isList = (v: unknown, item: (x: unknown) => boolean) => Array.isArray(v) && v.every(item);

function isRow(v: unknown): v is SensitivityRow {
  return isObject(v) && isCount(v.group) && isCount(v.channels) && isList(v.layers, (l) => typeof l === 'string') && isList(v.trials, isTrial);
}

function isTrial(v: unknown): v is SensitivityTrial {
  return isObject(v) && isShare(v.ratio) && isCount(v.kept) && isAccuracy(v.accuracy) && isNumber(v.drop);
}
