import { createAssetReader } from './asset-reader.js';

/** The bundled assets sit beside the engine: core/assets in the sources, dist/core/assets once built. */
export const readAsset = createAssetReader(new URL('../assets/', import.meta.url));
