import type { FolderListing, PruneConfig } from '../api/contract.js';
import { EXPORT_MAIN_FILE } from '../models/io/export-model.js';

export class ExportExistsError extends Error {
  override name = 'ExportExistsError';
}

/**
 * Before a run starts: a session must not silently replace another's exported model. The export folder
 * already holding a model of the chosen format is an `ExportExistsError`, unless `export.overwrite` says
 * to replace it. A folder that does not exist yet (the listing fails) is free.
 */
export async function refuseOverwrite(target: NonNullable<PruneConfig['export']>, listFolder: (path: string) => Promise<FolderListing>): Promise<void> {
  if (target.overwrite) return;
  const listing = await listFolder(target.path).catch(() => undefined);
  const name = EXPORT_MAIN_FILE[target.format];
  if (!listing?.entries.some((e) => e.kind === 'file' && e.name === name)) return;
  throw new ExportExistsError(
    `${listing.path} already holds an exported model (${name}), perhaps another session's. What to do: choose ` +
      `another export folder, or allow replacing it (the set-up asks; the command line takes --overwrite).`,
  );
}
