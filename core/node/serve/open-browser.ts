import { spawn } from 'node:child_process';

/** Opens a URL in the user's default browser; a failure only matters to the user, who has the URL printed. */
export function openBrowser(url: string, onFailure: (reason: string) => void): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', (error) => onFailure(error.message));
    child.unref();
  } catch (error) {
    onFailure((error as Error).message);
  }
}
