import { Presets, SingleBar } from 'cli-progress';
import type { TaskProgress } from '../api/contract.js';

/**
 * Progress of long work on stderr: a bar per stage on a terminal; without one (logs, CI) a line when a
 * stage starts and one when it ends; nothing with --json, so stdout and stderr stay clean for scripts.
 */
export function progressReporter(json: boolean): { onProgress: (progress: TaskProgress) => void; stop: () => void } {
  const bar = new SingleBar(
    { format: '{stage} [{bar}] {value}/{total} {message}', hideCursor: true, clearOnComplete: true, stream: process.stderr },
    Presets.shades_classic,
  );
  const showBar = process.stderr.isTTY && !json;
  let barStage = '';
  return {
    onProgress({ stage, step, total, message }) {
      if (json) return;
      if (total > 0 && showBar) {
        if (stage !== barStage) {
          if (barStage) bar.stop();
          bar.start(total, step, { stage, message });
          barStage = stage;
        } else bar.update(step, { message });
      } else if (total === 0 || step === 1 || step === total) console.error(`${stage}: ${message}`);
    },
    stop() {
      if (barStage) bar.stop();
      barStage = '';
    },
  };
}

/** Ctrl-C aborts the signal once (the work stops at its next batch); a second Ctrl-C quits at once. */
export function cancelOnCtrlC(what: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    console.error(`\nCancelling ${what} at the next batch (press Ctrl-C again to force quit)...`);
    process.off('SIGINT', onSigint);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
