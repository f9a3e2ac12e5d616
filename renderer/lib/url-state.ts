import { SCREENS, type ScreenId } from './screens.js';

/**
 * Where the user is, as the page's address keeps it (the part after `#`, so a served page's token in the
 * query stays as it is): the screen, the open project and session, the data and model chosen. A reload
 * reads it back, and each screen is an entry of the browser's history, so Back and Forward move between them.
 */
export interface AppAddress {
  screen: ScreenId;
  /** The open project file. */
  project?: string;
  /** The project's session whose Results show. */
  session?: string;
  /** The data set chosen for a new session, and the model. */
  data?: string;
  model?: string;
}

const KEYS = ['project', 'session', 'data', 'model'] as const;

/** `#/setup?data=...&model=demo-cnn`: the screen as the path, the rest as query parameters, each encoded. */
export function formatAddress(address: AppAddress): string {
  const query = new URLSearchParams();
  for (const key of KEYS) if (address[key]) query.set(key, address[key]);
  const rest = query.toString();
  return `#/${address.screen}${rest ? `?${rest}` : ''}`;
}

/** The address in a hash (with or without its `#`); undefined for a hash that is not one (empty, or an unknown screen). */
export function parseAddress(hash: string): AppAddress | undefined {
  const match = /^#?\/([a-z-]+)(?:\?(.*))?$/.exec(hash);
  const screen = match && SCREENS.find((s) => s.id === match[1])?.id;
  if (!screen) return undefined;
  const query = new URLSearchParams(match[2] ?? '');
  const address: AppAddress = { screen };
  for (const key of KEYS) {
    const value = query.get(key);
    if (value) address[key] = value;
  }
  return address;
}
