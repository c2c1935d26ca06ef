/**
 * The central server's daily backup (`--backup-dir`): a dated online backup of the open datafile
 * into a folder, keeping the newest `keep` of them (main/services/backup.ts). The first one is taken
 * at start unless the folder already holds one younger than a day, so restarting the server does
 * not pile up backups, and a server that was down for a week backs up as soon as it is back.
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { type BackupResult, backUpToFolder, listBackups } from '../services/backup';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface ScheduledBackupsOptions {
  folder: string;
  /** How many backups to keep (the oldest beyond it are removed). */
  keep: number;
  /** Default one day. */
  intervalMs?: number;
  onBackup?: (result: BackupResult & { removed: string[] }) => void;
  onError?: (error: unknown) => void;
  now?: () => Date;
}

export interface ScheduledBackups {
  /** Stops the schedule and waits for a backup in progress, so the datafile can then be closed. */
  stop(): Promise<void>;
}

export function startScheduledBackups(sqlite: Database.Database, options: ScheduledBackupsOptions): ScheduledBackups {
  const interval = options.intervalMs ?? DAY_MS;
  const now = options.now ?? (() => new Date());
  fs.mkdirSync(options.folder, { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const backUp = () => {
    running = backUpToFolder(sqlite, options.folder, { keep: options.keep, now: now() }).then(
      (result) => options.onBackup?.(result),
      (error: unknown) => options.onError?.(error),
    );
    return running;
  };
  const scheduleIn = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void backUp().then(() => scheduleIn(interval)), ms);
    // The server's listening socket keeps the process alive, not this timer.
    timer.unref();
  };

  const newest = listBackups(options.folder, sqlite.name).at(-1);
  const age = newest ? now().getTime() - fs.statSync(newest).mtimeMs : Infinity;
  scheduleIn(age >= interval ? 0 : interval - age);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
