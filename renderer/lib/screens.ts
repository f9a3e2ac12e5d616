/**
 * The app's screens and when each can be reached. A screen appears in the navigation only once it has
 * something to show; new screens (projects, comparison) plug in with one entry here and one in App.svelte.
 */
export type ScreenId = 'start' | 'data' | 'model' | 'setup' | 'run' | 'results' | 'flow' | 'project' | 'compare' | 'sweep';

/** What decides which screens are open. */
export interface ScreenFacts {
  dataChosen: boolean;
  modelChosen: boolean;
  runStarted: boolean;
  resultReady: boolean;
  /** A project file was opened (or asked for) in this window. */
  projectOpened: boolean;
  /** Sessions were sent to the comparison. */
  comparing: boolean;
  /** A sweep was started here, or found running on the engine (another window started it). */
  sweepStarted: boolean;
  /** A session's importance flow was opened from its Results. */
  flowOpened?: boolean;
}

export interface ScreenEntry {
  id: ScreenId;
  label: string;
  /** Single key (with Alt) that opens it. */
  key: string;
  available(facts: ScreenFacts): boolean;
}

export const SCREENS: readonly ScreenEntry[] = [
  { id: 'start', label: 'Start', key: '1', available: () => true },
  { id: 'data', label: 'Data', key: '2', available: () => true },
  { id: 'model', label: 'Model', key: '3', available: () => true },
  { id: 'setup', label: 'Set up', key: '4', available: (f) => f.dataChosen && f.modelChosen },
  { id: 'run', label: 'Run', key: '5', available: (f) => f.runStarted },
  { id: 'results', label: 'Results', key: '6', available: (f) => f.resultReady },
  { id: 'flow', label: 'Importance flow', key: '7', available: (f) => f.modelChosen || Boolean(f.flowOpened) },
  { id: 'project', label: 'Project', key: '8', available: (f) => f.projectOpened },
  { id: 'compare', label: 'Compare', key: '9', available: (f) => f.comparing },
  // A sweep writes sessions into a project: reachable once one is open (its screen says so when none is yet).
  { id: 'sweep', label: 'Sweep', key: '0', available: (f) => f.projectOpened || f.sweepStarted },
];

export function availableScreens(facts: ScreenFacts): ScreenEntry[] {
  return SCREENS.filter((s) => s.available(facts));
}
