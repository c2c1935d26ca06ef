/**
 * Backups of an open datafile. A datafile in WAL mode cannot be copied as a file (the last changes
 * may still be in its -wal file), so a backup is SQLite's online backup (better-sqlite3's
 * `db.backup()`): a consistent copy of one moment, taken while the datafile stays open and in use.
 *
 * A backup is written to `<name>.partial` and renamed only once it is complete and its
 * `PRAGMA integrity_check` says ok, so a file named as a backup is always a whole one.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppFailure } from '../../shared/errors';

export interface BackupResult {
  /** The backup file written. */
  file: string;
  bytes: number;
}

/** `central.sqlite` backed up at 2026-11-28 01:30:05 UTC -> `central-2026-11-28T013005Z.sqlite`. */
export function backupFileName(datafile: string, at: Date): string {
  const base = path.basename(datafile).replace(/\.sqlite$/i, '');
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  // 20261128T013005Z -> 2026-11-28T013005Z: the date stays readable, the name stays sortable.
  return `${base}-${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6)}.sqlite`;
}

/**
 * The copy keeps the datafile's WAL mode, so opening it would make -wal and -shm files beside it.
 * A backup is one self-contained file (to copy, mail or restore as it is): rollback journal mode.
 */
function makeSelfContained(file: string, nativeBinding?: string): void {
  const copy = new Database(file, { fileMustExist: true, nativeBinding });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** Opens a backup read-only and asks SQLite to check every page of it. */
export function checkBackupIntegrity(file: string, nativeBinding?: string): string {
  const copy = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
  try {
    const rows = copy.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check).join('; ');
  } finally {
    copy.close();
  }
}

/**
 * Writes a consistent copy of the open datafile to `destination`. Writes on the same connection
 * while it runs are carried into the copy by SQLite; the datafile is never locked for long.
 * Refuses to replace the datafile itself, and never leaves a half-written file behind.
 */
export async function backUpDatafile(
  sqlite: Database.Database,
  destination: string,
  options: { nativeBinding?: string } = {},
): Promise<BackupResult> {
  const target = path.resolve(destination);
  if (sameFile(target, sqlite.name)) {
    throw new AppFailure('backup_failed', 'A backup cannot replace the datafile itself: choose another file name.');
  }
  const partial = `${target}.partial`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(partial, { force: true });
    await sqlite.backup(partial);
    makeSelfContained(partial, options.nativeBinding);
    const integrity = checkBackupIntegrity(partial, options.nativeBinding);
    if (integrity !== 'ok') throw new Error(`the copy failed its integrity check (${integrity})`);
    fs.renameSync(partial, target);
    return { file: target, bytes: fs.statSync(target).size };
  } catch (error) {
    for (const file of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) removeQuietly(file);
    if (error instanceof AppFailure) throw error;
    throw new AppFailure('backup_failed', `The datafile could not be backed up to ${target}: ${messageOf(error)}`);
  }
}

/** The backups of `datafile` in `folder` (made by backUpToFolder), oldest first. */
export function listBackups(folder: string, datafile: string): string[] {
  if (!fs.existsSync(folder)) return [];
  const base = path.basename(datafile).replace(/\.sqlite$/i, '');
  const pattern = new RegExp(`^${escapeRegExp(base)}-\\d{4}-\\d{2}-\\d{2}T\\d{6}Z\\.sqlite$`);
  return fs
    .readdirSync(folder)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => path.join(folder, name));
}

/**
 * A dated backup in `folder`, then the oldest ones removed so that `keep` remain. Only files named
 * as this datafile's backups are ever removed.
 */
export async function backUpToFolder(
  sqlite: Database.Database,
  folder: string,
  options: { keep: number; now?: Date; nativeBinding?: string },
): Promise<BackupResult & { removed: string[] }> {
  if (!Number.isInteger(options.keep) || options.keep < 1) throw new Error('keep must be a whole number of at least 1.');
  const file = path.join(folder, backupFileName(sqlite.name, options.now ?? new Date()));
  const result = await backUpDatafile(sqlite, file, options);
  const backups = listBackups(folder, sqlite.name);
  const removed = backups.slice(0, Math.max(0, backups.length - options.keep));
  for (const old of removed) fs.rmSync(old, { force: true });
  return { ...result, removed };
}

function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const [sa, sb] = [fs.statSync(a), fs.statSync(b)];
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Cleaning up must not hide the reason the backup failed (e.g. the folder is not a folder). */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // nothing was written there
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
