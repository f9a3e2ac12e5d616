import type { PruneConfig } from '../api/contract.js';
import { plainText } from '../data/write-policy.js';
import type { RunHost } from './run-inputs.js';

/**
 * Everything a run will write, checked before it starts (the host's write policy, a file where the export
 * folder should be, a broken link): a bad target fails the call at once, with a named error the UI shows,
 * rather than after the whole run.
 */
export async function checkRunTargets(config: Pick<PruneConfig, 'export' | 'checkpointDir' | 'project'>, host: Pick<RunHost, 'checkWrite'>): Promise<void> {
  if (!host.checkWrite) return;
  if (config.export) await host.checkWrite(config.export.path, 'folder');
  if (config.checkpointDir) await host.checkWrite(config.checkpointDir, 'folder');
  if (config.project) await host.checkWrite(config.project, 'file');
}

/** A session's name as it will be stored and shown: user text, so without line breaks or other control characters. */
export function cleanSessionName<C extends Pick<PruneConfig, 'sessionName'>>(config: C): C {
  return config.sessionName === undefined ? config : { ...config, sessionName: plainText(config.sessionName).trim() || 'session' };
}
