import type { AppCommand } from '../core/api/desktop-shell.js';

/**
 * App commands on their way to the renderer. A command sent before the page listens would be lost
 * (a file double-clicked at launch, macOS 'open-file' before the window exists), so they wait here
 * until the renderer says it listens, and again after each reload.
 */
export class CommandOutbox {
  #queue: AppCommand[] = [];
  #ready = false;

  constructor(private readonly deliver: (command: AppCommand) => void) {}

  post(command: AppCommand): void {
    if (this.#ready) this.deliver(command);
    else this.#queue.push(command);
  }

  /** The renderer has subscribed: deliver what waited, in order. */
  markReady(): void {
    this.#ready = true;
    for (const command of this.#queue.splice(0)) this.deliver(command);
  }

  /** A new page is loading: hold commands until it listens. */
  markNotReady(): void {
    this.#ready = false;
  }
}
