import type { AssetReader } from '../data/builtin-sample.js';

export class AssetMissingError extends Error {
  override name = 'AssetMissingError';
}

/** Bundled assets of an engine in a page: fetched from beside the engine's script. */
export function fetchAssetReader(base: URL): AssetReader {
  return async (name) => {
    const url = new URL(name, base);
    const response = await fetch(url);
    if (!response.ok) throw new AssetMissingError(`The engine's asset '${name}' could not be loaded from ${url.href} (HTTP ${response.status}).`);
    return new Uint8Array(await response.arrayBuffer());
  };
}
