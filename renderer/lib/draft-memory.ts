import type { KeyValueStore } from './page-storage.js';
import type { SessionDraft } from './session-draft.svelte.js';

/**
 * The wizard's settings kept in the tab's session storage, so a reload keeps them (the address keeps the
 * screen, data and model; these would make it too long to read). A new tab starts from the defaults.
 */
const KEY = 'pruneflow.draft';

/** The draft's plain settings: every choice of the wizard, not its data, model or what the engine read. */
export const DRAFT_SETTINGS = [
  'criterion',
  'metric',
  'reduction',
  'ranking',
  'protect',
  'roundTo',
  'roundToChosen',
  'schedule',
  'scheduleSteps',
  'softEpochs',
  'trainEpochs',
  'fineTuneEpochs',
  'batchSize',
  'learningRate',
  'optimizer',
  'lrSchedule',
  'distill',
  'distillWeight',
  'distillTemperature',
  'earlyStop',
  'patience',
  'validationShare',
  'seed',
  'inputPreset',
  'project',
  'sessionName',
  'exportPath',
  'exportFormat',
  'foldBatchNorm',
  'quickTrial',
  'sampleTrain',
  'sampleTest',
  'fitInput',
  'wizardStep',
] as const satisfies readonly (keyof SessionDraft)[];

export type DraftSettings = Partial<Pick<SessionDraft, (typeof DRAFT_SETTINGS)[number]>>;

export function draftSettings(draft: SessionDraft): DraftSettings {
  return Object.fromEntries(DRAFT_SETTINGS.map((key) => [key, draft[key]]));
}

export function rememberDraft(draft: SessionDraft, storage: Pick<KeyValueStore, 'setItem'> | undefined): void {
  storage?.setItem(KEY, JSON.stringify(draftSettings(draft)));
}

/** The settings remembered in this tab; each one only where its type is the draft's own (a stale or edited entry is dropped). */
export function recalledDraft(storage: Pick<KeyValueStore, 'getItem'> | undefined, like: SessionDraft): DraftSettings {
  let saved: unknown;
  try {
    saved = JSON.parse(storage?.getItem(KEY) ?? '{}');
  } catch {
    return {};
  }
  if (typeof saved !== 'object' || saved === null) return {};
  const fields = saved as Record<string, unknown>;
  return Object.fromEntries(DRAFT_SETTINGS.filter((key) => typeof fields[key] === typeof like[key]).map((key) => [key, fields[key]]));
}
