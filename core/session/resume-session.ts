import type { PruneResult } from '../api/contract.js';
import type { Project, StoredSession } from '../project/project.js';
import { loadSessionWeights, replayHistory } from '../project/replay.js';
import { openStoredModel } from '../project/stored-model.js';
import type { ResumePoint } from './prune-run.js';
import { type ProjectSessionContext, ProjectHostError, runSavedSession } from './project-session.js';
import { SessionSaver } from './session-saver.js';
import { isUnfinished } from './session-status.js';

/** Nothing to resume: every session of the project is done, or the one asked for is. */
export class NothingToResumeError extends Error {
  override name = 'NothingToResumeError';
}

/** The project has no session with that id, or several unfinished ones and none was named. */
export class SessionChoiceError extends Error {
  override name = 'SessionChoiceError';
}

/** A checkpoint whose parts do not fit together (the file's hashes were fine, so a writer got it wrong). */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/**
 * Finishes an unfinished session (interrupted, cancelled or failed) of a project file from its last
 * checkpoint: the project's baseline, the pruned architecture replayed from the history with the
 * checkpoint's weights, the training epoch, generator position and optimizer state it had reached.
 * With the same seed the result equals an uninterrupted run's. Saves as it goes, like a new session.
 */
export async function resumeProjectSession(path: string, sessionId: string | undefined, context: ProjectSessionContext): Promise<PruneResult> {
  const store = context.projects;
  if (!store) throw new ProjectHostError('This engine host cannot read or write project files.');
  const project = await store.load(path);
  if (!project) throw new SessionChoiceError(`${path}: no such project file`);
  const session = chooseSession(path, project, sessionId);
  const { record } = session;
  await store.checkDataset(project);
  const resume = resumePoint(session);
  const training = record.checkpoint?.training;
  const where = training ? `${training.stage} epoch ${training.epoch}/${training.epochs}` : resume.state;
  context.onProgress?.({ stage: 'loading', step: 0, total: 0, message: `Resuming session ${record.id} (${record.name}) of ${path} from ${where}` });
  const saver = new SessionSaver({
    store,
    path,
    // Removals recorded after the checkpoint (a run stopped while pruning) are made again.
    session: { ...session, record: { ...record, status: 'running', state: resume.state, history: resume.pruned ? record.history : [] } },
    trainsBaseline: resume.state === 'configured' && record.config.trainEpochs > 0,
    start: resume.state,
    inFile: true,
    onState: context.onState,
    onSaved: (message) => context.onProgress?.({ stage: 'checkpoint', step: 0, total: 0, message }),
  });
  context.onState?.(resume.state);
  const config = { ...record.config, data: project.dataset.path };
  return runSavedSession(config, { ...context, resume, loadBaseline: () => openStoredModel(project.baseline) }, saver, path);
}

function chooseSession(path: string, project: Project, sessionId: string | undefined): StoredSession {
  if (sessionId !== undefined) {
    const session = project.sessions.find((s) => s.record.id === sessionId);
    if (!session)
      throw new SessionChoiceError(`${path} has no session '${sessionId}'; its sessions: ${project.sessions.map((s) => s.record.id).join(', ') || 'none'}`);
    if (!isUnfinished(session.record))
      throw new NothingToResumeError(`Session ${sessionId} of ${path} is ${session.record.status}: there is nothing to resume`);
    return session;
  }
  const unfinished = project.sessions.filter((s) => isUnfinished(s.record));
  if (unfinished.length === 0) throw new NothingToResumeError(`Every session of ${path} is finished: there is nothing to resume`);
  if (unfinished.length > 1) {
    throw new SessionChoiceError(
      `${path} has ${unfinished.length} unfinished sessions ` +
        `(${unfinished.map((s) => `${s.record.id}: ${s.record.status}`).join(', ')}); name one with --session`,
    );
  }
  return unfinished[0];
}

/** What the record's checkpoint holds, as runPruning takes it; no checkpoint: the session starts over. */
function resumePoint({ record, weights, optimizer }: StoredSession): ResumePoint {
  const checkpoint = record.checkpoint;
  if (!checkpoint) return { state: 'configured' };
  const { training } = checkpoint;
  if (training?.optimizer && !optimizer) throw new CheckpointError(`Session ${record.id}: the checkpoint lists an optimizer state, but the project has none`);
  const point: ResumePoint = {
    state: checkpoint.state,
    ...(checkpoint.baseline && { baseline: checkpoint.baseline }),
    ...(training && {
      training: {
        stage: training.stage,
        epoch: training.epoch,
        random: training.random,
        ...(training.optimizer && optimizer && { optimizer: { specs: training.optimizer, data: optimizer } }),
      },
    }),
  };
  if (checkpoint.state === 'fine-tuning') {
    if (checkpoint.pruneOnlyAccuracy === undefined || record.weightSpecs.length === 0)
      throw new CheckpointError(`Session ${record.id}: a fine-tuning checkpoint without the pruned model`);
    point.pruned = {
      accuracy: checkpoint.pruneOnlyAccuracy,
      async open(baseline) {
        const model = await replayHistory(baseline, record.history);
        try {
          loadSessionWeights(model, record.weightSpecs, weights);
        } catch (error) {
          model.dispose();
          throw error;
        }
        return model;
      },
    };
  } else if (checkpoint.state !== 'configured' && checkpoint.state !== 'baseline-evaluated') {
    throw new CheckpointError(`Session ${record.id}: a checkpoint cannot be taken in state '${checkpoint.state}'`);
  }
  if (checkpoint.state !== 'configured' && !checkpoint.baseline)
    throw new CheckpointError(`Session ${record.id}: a checkpoint after the baseline without its measurements`);
  return point;
}
