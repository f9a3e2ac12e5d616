import { describe, expect, it } from 'vitest';
import type { AppCommand, DesktopShellBridge, DocumentState } from '../../../core/api/desktop-shell.js';
import { connectDesktopShell, handleAppCommands } from '../../../renderer/lib/desktop-shell.js';

class FakeShell implements DesktopShellBridge {
  listeners = new Set<(command: AppCommand) => void>();
  states: DocumentState[] = [];
  onCommand(listener: (command: AppCommand) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  setDocumentState(state: DocumentState) {
    this.states.push(state);
  }
  send(command: AppCommand) {
    for (const listener of this.listeners) listener(command);
  }
}

describe('desktop shell client', () => {
  it('is absent in a browser and present in the desktop app', () => {
    expect(connectDesktopShell({})).toBeUndefined();
    const shell = new FakeShell();
    expect(connectDesktopShell({ pruneflowDesktop: shell })).toBe(shell);
  });

  it('routes each command to its handler, ignores unhandled ones, and unsubscribes', () => {
    const shell = new FakeShell();
    const seen: string[] = [];
    const stop = handleAppCommands(shell, {
      'open-project': (command) => seen.push(`open ${command.path}`),
      'engine-crashed': (command) => seen.push(`crashed: ${command.message}`),
    });
    shell.send({ type: 'open-project', path: '/p/a.pruneflow' });
    shell.send({ type: 'new-project' });
    shell.send({ type: 'engine-crashed', message: 'The engine stopped.' });
    expect(seen).toEqual(['open /p/a.pruneflow', 'crashed: The engine stopped.']);
    stop();
    expect(shell.listeners.size).toBe(0);
  });
});
