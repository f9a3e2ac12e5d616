import type * as tfl from '@tensorflow/tfjs-layers';
import type { Project, StoredSession } from './project.js';
import { ReplayError } from './project-errors.js';
import { loadSessionWeights, replayHistory } from './replay.js';
import { openStoredModel } from './stored-model.js';

/** A finished session's pruned model: the project's baseline, its history replayed, its trained weights loaded. */
export async function openSessionModel(project: Project, session: StoredSession): Promise<tfl.LayersModel> {
  const { record } = session;
  if (record.weightSpecs.length === 0) throw new ReplayError(`Session ${record.id} (${record.name}) is ${record.status} and holds no pruned weights`);
  const baseline = await openStoredModel(project.baseline);
  let model: tfl.LayersModel | undefined;
  try {
    model = await replayHistory(baseline, record.history);
    loadSessionWeights(model, record.weightSpecs, session.weights);
    return model;
  } catch (error) {
    model?.dispose();
    throw error;
  } finally {
    baseline.dispose();
  }
}
