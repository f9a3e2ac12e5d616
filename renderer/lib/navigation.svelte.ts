import { tick } from 'svelte';
import { availableScreens, SCREENS, type ScreenEntry, type ScreenFacts, type ScreenId } from './screens.js';

/** Which screen shows, and which screens can be reached from what the user has done so far. */
export class Navigation {
  screen = $state<ScreenId>('start');
  readonly #facts: () => ScreenFacts;
  /** Called once a screen is drawn (the page moves the focus to its title). */
  onshown: () => void = () => {};

  /** The screens the user can reach now, in the navigation's order. */
  readonly screens: ScreenEntry[];

  constructor(facts: () => ScreenFacts) {
    this.#facts = facts;
    this.screens = $derived(availableScreens(this.#facts()));
  }

  get current(): ScreenEntry {
    return SCREENS.find((s) => s.id === this.screen)!;
  }

  async show(id: ScreenId): Promise<void> {
    this.screen = id;
    await tick();
    this.onshown();
  }

  /** Alt+0..9: the screen on that key, if it can be reached now. */
  screenForKey(key: string): ScreenId | undefined {
    return this.screens.find((s) => s.key === key)?.id;
  }
}
