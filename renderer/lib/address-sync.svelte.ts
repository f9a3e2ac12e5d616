import type { DraftSettings } from './draft-memory.js';
import type { Navigation } from './navigation.svelte.js';
import { type AppAddress, formatAddress, parseAddress } from './url-state.js';
import type { Workspace } from './workspace.svelte.js';

/** The page's address bar: the hash, written as a new history entry (push) or in place (replace), and Back/Forward. */
export interface AddressBar {
  hash(): string;
  push(hash: string): void;
  replace(hash: string): void;
  /** Calls `listener` with the hash Back or Forward (or an edited address) moved to; returns the unsubscribe. */
  onmove(listener: (hash: string) => void): () => void;
}

/**
 * The page's address kept in step with the app: each screen a history entry, selections written in place,
 * and an address followed back (a reload, Back, Forward) by opening what it names.
 */
export class AddressSync {
  /** While an address is being followed, nothing is written (the screen and selections arrive one by one). */
  restoring = $state(false);
  /** The hash last written or followed. */
  #written: string | undefined;
  readonly #workspace: Workspace;
  readonly #nav: Navigation;
  readonly #bar: AddressBar | undefined;

  constructor(workspace: Workspace, nav: Navigation, bar?: AddressBar) {
    this.#workspace = workspace;
    this.#nav = nav;
    this.#bar = bar;
  }

  /** Follows the page's address as it is now (the wizard's `settings` applied after its data and model), then Back and Forward; returns the stop. */
  start(settings?: DraftSettings): (() => void) | undefined {
    if (!this.#bar) return undefined;
    void this.follow(this.#bar.hash(), settings);
    return this.#bar.onmove((hash) => void this.follow(hash));
  }

  /** The open project's session whose importance flow shows, if it is one. */
  get #flowSession(): string | undefined {
    const request = this.#workspace.sessionFlow.request;
    return request && 'project' in request && request.project === this.#workspace.project.path ? request.session : undefined;
  }

  /** Where the user is now. */
  get address(): AppAddress {
    const { draft, project, reviewed } = this.#workspace;
    const screen = this.#nav.screen;
    return {
      screen,
      ...(project.path && { project: project.path }),
      ...(screen === 'results' && reviewed && { session: reviewed.session }),
      ...(screen === 'flow' && this.#flowSession && { session: this.#flowSession }),
      ...(draft.preview.value && { data: draft.data }),
      ...(draft.report.value && { model: draft.model }),
    };
  }

  /**
   * Goes where an address says (a reload, Back, Forward): opens its project, data and model when they are
   * not the ones open, then its screen if that can be reached now, else the nearest that can.
   */
  async follow(hash: string, settings?: DraftSettings): Promise<void> {
    const address = parseAddress(hash);
    if (!address) return;
    // Nothing is written on the way: the screen and selections arrive one by one.
    this.restoring = true;
    try {
      const { draft, project } = this.#workspace;
      const loads: Promise<void>[] = [];
      if (address.project && address.project !== project.path) loads.push(project.open(address.project));
      if (address.data && address.data !== draft.data) loads.push(draft.chooseData(address.data));
      if (address.model && (address.model !== draft.model || !draft.report.value)) loads.push(draft.chooseModel(address.model));
      await Promise.all(loads);
      // After the model: choosing one sets its own default for baseline training, which the user's choice overrides.
      if (settings) Object.assign(draft, settings);
      if (address.screen === 'results' && address.session) this.#workspace.review(address.session);
      // A session's importance flow: read again from its project.
      if (address.screen === 'flow' && address.session && project.path) this.#workspace.sessionFlow.open({ project: project.path, session: address.session });
      const reachable = (id: string) => this.#nav.screens.some((s) => s.id === id);
      await this.#nav.show(reachable(address.screen) ? address.screen : this.#workspace.projectOpened ? 'project' : 'start');
      // This history entry now says where the user landed (a screen out of reach, a file gone): in place, not a new entry.
      const landed = formatAddress(this.address);
      if (landed !== hash) this.#bar?.replace(landed);
      this.#written = landed;
    } finally {
      this.restoring = false;
    }
  }

  /** Writes the address: a new history entry when the screen changed, else in place. */
  write(): void {
    if (!this.#bar || this.restoring) return;
    const address = this.address;
    const hash = formatAddress(address);
    if (hash === this.#written) return;
    const before = this.#written === undefined ? undefined : parseAddress(this.#written);
    if (before && before.screen !== address.screen) this.#bar.push(hash);
    else this.#bar.replace(hash);
    this.#written = hash;
  }
}
