import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { APPLICATION_ID, openDatafile } from '../../db/datafile';
import { findMigrationsFolder, readJournal } from '../../db/migrations-folder';
import { openCore } from '../../main/core';
import { storeDataStreamStatements } from '../../main/services/store-records';
import { AppFailure } from '../../shared/errors';
import { ADMIN, fastHasher, newCore, tempDir } from '../helpers/core';

function fileHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function expectFailure(fn: () => unknown, code: string): AppFailure {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    expect((error as AppFailure).error.code).toBe(code);
    return error as AppFailure;
  }
  throw new Error(`expected ${code}`);
}

type JournalEntry = { tag: string };

/** The migrations folder of an older app: this one's, with only the journal entries `keep` leaves. */
function olderMigrations(dir: string, keep: (entries: JournalEntry[]) => JournalEntry[]): { older: string; journal: { entries: JournalEntry[] } } {
  const older = path.join(dir, 'older-migrations');
  fs.cpSync(findMigrationsFolder(), older, { recursive: true });
  const journalFile = path.join(older, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: JournalEntry[] };
  journal.entries = keep(journal.entries);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return { older, journal };
}

/** A datafile as the app left it before migration `tag`, holding what `sql` wrote, and its path. */
function datafileBefore(tag: string, sql: string): string {
  const dir = tempDir();
  const { older } = olderMigrations(dir, (entries) => entries.filter((entry) => entry.tag < tag));
  const file = path.join(dir, `before-${tag}.sqlite`);
  const old = openDatafile(file, { create: true, migrationsFolder: older });
  old.sqlite.exec(sql);
  old.close();
  return file;
}

describe('a new datafile', () => {
  it('holds the central server site with site ID 1, active on it, and the first administrator', async () => {
    const core = await newCore();
    const { rows } = core.sites.listSites({});
    expect(rows).toEqual([{ siteId: 1, code: '1', name: 'Central server', deviceType: 'standalone', isCentral: true, isActive: true }]);
    expect(core.sites.isCentralServer()).toBe(true);
    const admin = await core.users.authenticate(ADMIN.userName, ADMIN.password);
    expect(admin.permissions.has('edit_sync_settings')).toBe(true);
    core.close();
  });

  it('uses WAL, foreign keys and a busy timeout, and is marked as ours with its schema version', async () => {
    const core = await newCore();
    const { sqlite } = core.datafile;
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(sqlite.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(sqlite.pragma('user_version', { simple: true })).toBe(readJournal(findMigrationsFolder()).length);
    core.close();
  });

  it('refuses to be set up without an administrator password of at least 8 characters', async () => {
    const file = path.join(tempDir(), 'd.sqlite');
    await expect(
      openCore(file, { create: true, hasher: fastHasher, setup: { admin: { userName: 'admin', password: 'short' } } }),
    ).rejects.toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('seeds the example system of the documentation on request', async () => {
    const core = await newCore({ demo: true });
    const { rows } = core.sites.listSites({});
    expect(rows.map((r) => [r.siteId, r.name, r.deviceType])).toEqual([
      [1, 'Tamaki Central Synchronisation Server', 'standalone'],
      // Never synced: the device type is blank until the site syncs.
      [4, 'Auckland Hospital', null],
      [2, 'Kawakawa', 'mobile'],
      [5, 'Kopu HC', null],
      [3, 'Waikato', null],
    ]);
    const stores = core.sites
      .listAddableStores({ draftStoreIds: [] })
      .rows.map((s) => s.code)
      .sort();
    expect(stores).toEqual(['HUF', 'KamoRW', 'Kawakawa', 'Kopu', 'Opua', 'TAU_DH', 'Tamaki', 'Waikato'].sort());
    core.close();
  });
});

describe('opening an existing datafile', () => {
  it('migrates a datafile from an older version and keeps its data', async () => {
    const dir = tempDir();
    // An "older app": the same migrations folder without the newest migration.
    const { older, journal } = olderMigrations(dir, (entries) => entries.slice(0, -1));
    expect(journal.entries.length).toBeGreaterThan(0);

    const file = path.join(dir, 'old.sqlite');
    const old = openDatafile(file, { create: true, migrationsFolder: older });
    old.sqlite.prepare("insert into site (id, uuid, code, name, name_key, is_central) values (1, 'u1', '1', 'Old central', 'old central', 1)").run();
    old.sqlite.prepare("insert into setting (key, value) values ('active_site_id', '1')").run();
    expect(old.schemaVersion).toBe(journal.entries.length);
    old.close();

    const reopened = openDatafile(file);
    expect(reopened.schemaVersion).toBe(journal.entries.length + 1);
    expect(reopened.sqlite.pragma('user_version', { simple: true })).toBe(journal.entries.length + 1);
    expect(reopened.sqlite.prepare('select name from site').all()).toEqual([{ name: 'Old central' }]);
    const newest = reopened.sqlite.prepare("select name from sqlite_master where name = 'site_audit'").get();
    expect(newest).toEqual({ name: 'site_audit' });
    reopened.close();
  });

  it('starts again a store data stream that was under way when the datafile is upgraded to streaming in line ID order', async () => {
    // The app before migration 0012 streamed a store's lines by rowid; such a position means nothing in ID order.
    const file = datafileBefore(
      '0012',
      `
      insert into site (id, uuid, code, name, name_key, is_central) values (1, 'u1', 'C', 'Central', 'central', 1), (3, 'u3', 'W', 'Waikato', 'waikato', 0);
      insert into store (id, uuid, code, name, site_id) values (7, 's7', 'W1', 'Waikato store', 3);
      insert into store_record (id, store_id, item_code, item_name, quantity) values ('b', 7, 'B', 'Bandage', 1), ('a', 7, 'A', 'Aspirin', 2);
      insert into sync_out (site_id, store_id, table_name, record_id, action, data, sequence, stream_after, stream_handed)
        values (3, 7, 'store_data', '7', 'insert', null, 1, 1, 1);`,
    );

    const reopened = openDatafile(file);
    try {
      const entry = reopened.sqlite.prepare('select stream_after_id as afterId, stream_handed_id as handedId from sync_out').get();
      // Not acknowledged even once: the site is sent "drop what you hold of this store" and every line again.
      expect(entry).toEqual({ afterId: null, handedId: null });
      const lines = storeDataStreamStatements(reopened.sqlite).lines(1, 7, '', 10);
      expect(lines.count).toBe(2);
      expect(JSON.parse(lines.json).map((r: { recordId: string }) => r.recordId)).toEqual(['a', 'b']);
      expect(reopened.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      reopened.close();
    }
  });

  it('keeps every stock line, as it was, when the datafile is upgraded to keeping lines by store', async () => {
    const everyLine = 'select id, store_id, item_code, item_name, quantity, updated_at, version, changed_by_site_id from store_record order by id';
    const file = datafileBefore(
      '0013',
      `
      insert into site (id, uuid, code, name, name_key, is_central) values (1, 'u1', 'C', 'Central', 'central', 1), (3, 'u3', 'W', 'Waikato', 'waikato', 0);
      insert into store (id, uuid, code, name, site_id) values (7, 's7', 'W1', 'Waikato store', 3), (8, 's8', 'W2', 'Hamilton store', 3);
      insert into store_record (id, store_id, item_code, item_name, quantity, updated_at, version, changed_by_site_id) values
        ('m', 8, 'M', 'Mask', 4, '2026-01-02T03:04:05.006Z', 3, 3),
        ('b', 7, 'B', 'Bandage', 1.5, '2026-01-01T00:00:00.000Z', 1, null),
        ('a', 7, 'A', 'Aspirin', 2, '2026-02-01T00:00:00.000Z', 7, 1);`,
    );

    const reopened = openDatafile(file);
    try {
      expect(reopened.sqlite.prepare(everyLine).all()).toEqual([
        {
          id: 'a',
          store_id: 7,
          item_code: 'A',
          item_name: 'Aspirin',
          quantity: 2,
          updated_at: '2026-02-01T00:00:00.000Z',
          version: 7,
          changed_by_site_id: 1,
        },
        {
          id: 'b',
          store_id: 7,
          item_code: 'B',
          item_name: 'Bandage',
          quantity: 1.5,
          updated_at: '2026-01-01T00:00:00.000Z',
          version: 1,
          changed_by_site_id: null,
        },
        {
          id: 'm',
          store_id: 8,
          item_code: 'M',
          item_name: 'Mask',
          quantity: 4,
          updated_at: '2026-01-02T03:04:05.006Z',
          version: 3,
          changed_by_site_id: 3,
        },
      ]);
      const table = reopened.sqlite.prepare("select sql from sqlite_master where name = 'store_record'").pluck().get() as string;
      expect(table).toMatch(/PRIMARY KEY\(`store_id`, `id`\)[\s\S]*WITHOUT ROWID$/);
      // A line's id stays unique across stores, and a store still cannot go while it has lines.
      expect(() =>
        reopened.sqlite.prepare("insert into store_record (id, store_id, item_code, item_name) values ('a', 8, 'A', 'Aspirin')").run(),
      ).toThrow(/UNIQUE constraint failed: store_record\.id/);
      expect(() => reopened.sqlite.prepare('delete from store where id = 7').run()).toThrow(/FOREIGN KEY constraint failed/);
      expect(storeDataStreamStatements(reopened.sqlite).lines(1, 7, '', 10).count).toBe(2);
      expect(reopened.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(reopened.sqlite.pragma('foreign_key_check')).toEqual([]);
    } finally {
      reopened.close();
    }
  });

  it('refuses a datafile from a newer version with a clear message and leaves it untouched', async () => {
    const core = await newCore();
    const file = core.datafile.path;
    core.datafile.sqlite.pragma('user_version = 999');
    core.datafile.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    core.close();
    const before = fileHash(file);
    const failure = expectFailure(() => openDatafile(file), 'datafile_too_new');
    expect(failure.message).toMatch(/newer version of the app/);
    expect(failure.message).toMatch(/999/);
    expect(fileHash(file)).toBe(before);
  });

  it('refuses a file that is not one of our datafiles and leaves it untouched', () => {
    const dir = tempDir();
    const text = path.join(dir, 'notes.sqlite');
    fs.writeFileSync(text, 'this is a shopping list, not a database\n'.repeat(200));
    const before = fileHash(text);
    expectFailure(() => openDatafile(text), 'datafile_not_ours');
    expect(fileHash(text)).toBe(before);

    const other = path.join(dir, 'other-app.sqlite');
    const db = new Database(other);
    db.exec('create table thing (id integer primary key)');
    db.close();
    const otherBefore = fileHash(other);
    expectFailure(() => openDatafile(other), 'datafile_not_ours');
    expect(fileHash(other)).toBe(otherBefore);
  });

  it('says when the datafile does not exist instead of creating one silently', () => {
    const missing = path.join(tempDir(), 'missing.sqlite');
    expectFailure(() => openDatafile(missing), 'datafile_not_found');
    expect(fs.existsSync(missing)).toBe(false);
  });
});
