import { readFile } from 'node:fs/promises';
import { asBytes } from './bytes.js';

export class AssetNotFoundError extends Error {
  override name = 'AssetNotFoundError';
}

/**
 * Reads files of the built-in asset folder by relative name. Names that climb out of the folder are
 * refused: the name comes from engine code, but a reader that can read any file is a bad default.
 */
export function createAssetReader(folder: URL): (name: string) => Promise<Uint8Array> {
  const base = folder.href.endsWith('/') ? folder : new URL(`${folder.href}/`);
  return async (name) => {
    const target = new URL(name, base);
    if (name.startsWith('/') || name.includes('\\') || !target.href.startsWith(base.href)) {
      throw new AssetNotFoundError(`Asset name '${name}' is outside the built-in asset folder.`);
    }
    try {
      return asBytes(await readFile(target));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new AssetNotFoundError(`Built-in asset '${name}' is missing from ${base.pathname}.`);
      throw error;
    }
  };
}
