import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The bundled assets sit beside the engine: core/assets in the sources, dist/core/assets once built. */
export const ASSET_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

export async function readAsset(name: string): Promise<Uint8Array> {
  if (name.split(/[\\/]/).includes('..')) throw new Error(`Asset names may not leave the asset folder: ${name}`);
  return new Uint8Array(await readFile(`${ASSET_DIR}${name}`));
}
