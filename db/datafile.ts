/**
 * Opening a datafile: refuse files that are not ours or are from a newer version (without writing a
 * byte to them), then apply any pending migrations and set the connection up for safe concurrent use.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { AppFailure } from '../shared/errors';
import { findMigrationsFolder, readJournal } from './migrations-folder';
import * as schema from './schema';

/** 'mSyn': marks a SQLite file as one of our datafiles (PRAGMA application_id). */
export const APPLICATION_ID = 0x6d53796e;

export type DrizzleDb = BetterSQLite3Database<typeof schema>;

export interface Datafile {
  readonly path: string;
  readonly sqlite: Database.Database;
  readonly db: DrizzleDb;
  /** Number of migrations applied: the datafile's schema version. */
  readonly schemaVersion: number;
  /** True when this open created the file. */
  readonly created: boolean;
  close(): void;
}

export interface OpenOptions {
  /** Create the file when it does not exist. */
  create?: boolean;
  migrationsFolder?: string;
  /** Path of a better-sqlite3 binary built for this runtime (Electron uses its own build). */
  nativeBinding?: string;
  /** How long a writer waits for another connection's lock, in ms. */
  busyTimeoutMs?: number;
}

interface Inspection {
  applicationId: number;
  userVersion: number;
  tableCount: number;
}

function inspectReadOnly(file: string, nativeBinding?: string): Inspection {
  let probe: Database.Database | undefined;
  try {
    probe = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
    const applicationId = probe.pragma('application_id', { simple: true }) as number;
    const userVersion = probe.pragma('user_version', { simple: true }) as number;
    const tableCount = (probe.prepare("select count(*) as n from sqlite_master where type = 'table'").get() as { n: number }).n;
    return { applicationId, userVersion, tableCount };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new AppFailure('datafile_not_ours');
    throw error;
  } finally {
    probe?.close();
  }
}

/**
 * `central.sqlite` about to go from version 7 to 8 -> `central-before-migration-7-to-8-<time>.sqlite`
 * beside it. Migrations run in one transaction, but a copy of the datafile as the old version of the
 * app left it is what an administrator needs to go back to that version.
 */
export function preMigrationBackupName(file: string, from: number, to: number, at: Date): string {
  const base = path.basename(file).replace(/\.sqlite$/i, '');
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return path.join(path.dirname(path.resolve(file)), `${base}-before-migration-${from}-to-${to}-${stamp}.sqlite`);
}

/**
 * The backup taken before any migration. Opening is synchronous and nothing else may write the
 * datafile yet (its lock is held and it is not open here), so `VACUUM INTO` (one read transaction,
 * a consistent and compact copy) does what the online backup does elsewhere (main/services/backup.ts).
 * If the copy cannot be made, the datafile is not migrated: it stays exactly as it was.
 */
function backUpBeforeMigration(file: string, options: { from: number; to: number; nativeBinding?: string }): void {
  const target = preMigrationBackupName(file, options.from, options.to, new Date());
  const partial = `${target}.partial`;
  let source: Database.Database | undefined;
  try {
    source = new Database(file, { readonly: true, fileMustExist: true, nativeBinding: options.nativeBinding });
    source.prepare('VACUUM INTO ?').run(partial);
    source.close();
    fs.renameSync(partial, target);
  } catch (error) {
    source?.close();
    fs.rmSync(partial, { force: true });
    throw new AppFailure(
      'backup_failed',
      `The datafile needs updating to this version of the app, and a backup is made first, but it could not be written ` +
        `(${target}: ${error instanceof Error ? error.message : String(error)}). The datafile has not been changed.`,
    );
  }
}

export function openDatafile(file: string, options: OpenOptions = {}): Datafile {
  const migrationsFolder = findMigrationsFolder(options.migrationsFolder);
  const journal = readJournal(migrationsFolder);
  const knownVersion = journal.length;

  const exists = fs.existsSync(file) && fs.statSync(file).size > 0;
  if (!exists && !options.create) {
    throw new AppFailure('datafile_not_found', `The datafile was not found: ${file}`);
  }
  if (exists) {
    // Reading a WAL-mode file, even read-only, makes SQLite create its -wal and -shm files beside it
    // (and a read-only connection cannot remove them). A refused file is left as it was found.
    const siblings = [`${file}-wal`, `${file}-shm`, `${file}-journal`].filter((f) => !fs.existsSync(f));
    const refuse = (failure: AppFailure): never => {
      for (const sibling of siblings) fs.rmSync(sibling, { force: true });
      throw failure;
    };
    let found: Inspection;
    try {
      found = inspectReadOnly(file, options.nativeBinding);
    } catch (error) {
      if (error instanceof AppFailure) refuse(error);
      throw error;
    }
    const isOurs = found!.applicationId === APPLICATION_ID || (found!.applicationId === 0 && found!.tableCount === 0);
    if (!isOurs) refuse(new AppFailure('datafile_not_ours'));
    if (found!.userVersion > knownVersion) {
      refuse(
        new AppFailure(
          'datafile_too_new',
          `This datafile was last used by a newer version of the app (datafile version ${found!.userVersion}, ` +
            `this app knows up to ${knownVersion}). Update the app to open it; the datafile has not been changed.`,
          { datafileVersion: found!.userVersion, appVersion: knownVersion },
        ),
      );
    }
    if (found!.userVersion < knownVersion && found!.tableCount > 0) {
      backUpBeforeMigration(file, { from: found!.userVersion, to: knownVersion, nativeBinding: options.nativeBinding });
    }
  } else {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  }

  const sqlite = new Database(file, { nativeBinding: options.nativeBinding });
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder });
    sqlite.pragma(`application_id = ${APPLICATION_ID}`);
    sqlite.pragma(`user_version = ${knownVersion}`);
    return {
      path: file,
      sqlite,
      db,
      schemaVersion: knownVersion,
      created: !exists,
      close: () => {
        if (sqlite.open) sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
