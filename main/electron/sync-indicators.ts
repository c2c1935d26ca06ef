/**
 * While a remote site's sync runs, the desktop keeps the machine awake (powerSaveBlocker) and shows
 * the run's progress on the taskbar or dock icon (setProgressBar). It follows whichever datafile
 * the host has open; a server connection or a central datafile runs no sync here, so shows nothing.
 */
import { type BrowserWindow, powerSaveBlocker } from 'electron';
import type { SyncStatus } from '../../shared/contract';
import type { DatafileHost } from '../hosts/datafile-host';

/** Electron's setProgressBar: a value above 1 is an indeterminate bar, below 0 none. */
const INDETERMINATE = 2;
const NONE = -1;

/** How far a run is, 0 to 1, from its steps; indeterminate until a step has started. */
export function runFraction(progress: SyncStatus['progress']): number {
  if (!progress || progress.steps.every((s) => s.state === 'waiting')) return INDETERMINATE;
  const parts = progress.steps.map((s) => (s.state === 'done' ? 1 : s.state === 'running' && s.total > 0 ? s.done / s.total : 0));
  return parts.reduce((sum, part) => sum + part, 0) / progress.steps.length;
}

export function showSyncIndicators(host: DatafileHost, window: BrowserWindow): () => void {
  let blocker: number | null = null;
  let detach = () => {};

  const show = (status: Pick<SyncStatus, 'running' | 'progress'> | null) => {
    const running = status?.running === true;
    if (running && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
    if (!running && blocker !== null) {
      powerSaveBlocker.stop(blocker);
      blocker = null;
    }
    if (!window.isDestroyed()) window.setProgressBar(running ? runFraction(status!.progress) : NONE);
  };

  const attach = () => {
    detach();
    const runner = host.core?.syncRunner;
    if (!runner) {
      detach = () => {};
      show(null);
      return;
    }
    const listener = () => {
      try {
        show(runner.status());
      } catch {
        // The datafile closed under the run (another one was opened): nothing runs any more.
        show(null);
      }
    };
    runner.events.on('status', listener);
    detach = () => runner.events.off('status', listener);
    listener();
  };

  const stopFollowing = host.onStatusChange(attach);
  attach();
  const stop = () => {
    stopFollowing();
    detach();
    show(null);
  };
  window.on('closed', stop);
  return stop;
}
