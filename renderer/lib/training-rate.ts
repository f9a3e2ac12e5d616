/** This machine's training speed, measured by the last run and kept in the page's storage for the wizard's run-time estimate. */
import { type KeyValueStore, pageStorage } from './page-storage.js';
import { GUESSED_TRAINING_RATE } from './wizard-estimates.js';

const KEY = 'pruneflow.trainingRate';

export function loadTrainingRate(storage: Pick<KeyValueStore, 'getItem'> | undefined = pageStorage()): { rate: number; measured: boolean } {
  const saved = Number(storage?.getItem(KEY));
  return Number.isFinite(saved) && saved > 0 ? { rate: saved, measured: true } : { rate: GUESSED_TRAINING_RATE, measured: false };
}

export function saveTrainingRate(rate: number, storage: Pick<KeyValueStore, 'setItem'> | undefined = pageStorage()): void {
  if (Number.isFinite(rate) && rate > 0) storage?.setItem(KEY, String(rate));
}
