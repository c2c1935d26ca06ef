/**
 * Backups as an administrator relies on them: the copy opens, SQLite finds every page intact, and
 * it holds what the datafile held, even when the backup runs while the datafile is being written.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openCore } from '../../main/core';
import { backUpDatafile, backUpToFolder, backupFileName, checkBackupIntegrity, listBackups } from '../../main/services/backup';
import { AppFailure } from '../../shared/errors';
import { ADMIN, adminOf, dumpContent, fastHasher, newCore, tempDir } from '../helpers/core';
import { withSeed } from '../helpers/seeded-random';

function openCopy(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true });
}

function siteNames(db: Database.Database): string[] {
  return (db.prepare('select name from site order by id').all() as { name: string }[]).map((r) => r.name);
}

describe('backing up a datafile', () => {
  it('writes a copy that passes integrity_check and holds the same sites, stores and users', async () => {
    const core = await newCore({ demo: true });
    const file = path.join(tempDir(), 'backups', 'copy.sqlite');
    const result = await backUpDatafile(core.datafile.sqlite, file);
    expect(result.file).toBe(file);
    expect(result.bytes).toBe(fs.statSync(file).size);
    expect(checkBackupIntegrity(file)).toBe('ok');
    // One self-contained file, nothing beside it: it can be copied or restored as it is.
    expect(fs.readdirSync(path.dirname(file))).toEqual(['copy.sqlite']);

    const copy = openCopy(file);
    expect(siteNames(copy)).toEqual(siteNames(core.datafile.sqlite));
    expect(siteNames(copy)).toContain('Kawakawa');
    expect(copy.prepare('select count(*) as n from store').get()).toEqual(core.datafile.sqlite.prepare('select count(*) as n from store').get());
    copy.close();

    // The copy is a datafile the app opens like any other: the administrator can log in to it.
    core.close();
    const restored = await openCore(file, { hasher: fastHasher });
    await expect(adminOf(restored)).resolves.toBeTruthy();
    restored.close();
  });

  it('is the whole datafile: every table and row, the same as a dump of the original', async () => {
    const core = await newCore({ demo: true });
    const file = path.join(tempDir(), 'copy.sqlite');
    await backUpDatafile(core.datafile.sqlite, file);
    const before = dumpContent(core);
    core.close();
    const restored = await openCore(file, { hasher: fastHasher });
    expect(dumpContent(restored)).toBe(before);
    restored.close();
  });

  it('refuses to write over the datafile itself, and leaves it as it was', async () => {
    const core = await newCore();
    const before = dumpContent(core);
    await expect(backUpDatafile(core.datafile.sqlite, core.datafile.path)).rejects.toThrow(/cannot replace the datafile itself/);
    expect(dumpContent(core)).toBe(before);
    expect(checkBackupIntegrity(core.datafile.path)).toBe('ok');
    core.close();
  });

  it('says in words where it could not write, and leaves no partial file', async () => {
    const core = await newCore();
    const dir = tempDir();
    // A folder where the file's parent folder should be: the backup cannot be written there.
    fs.writeFileSync(path.join(dir, 'not-a-folder'), 'x');
    const target = path.join(dir, 'not-a-folder', 'copy.sqlite');
    const failure = await backUpDatafile(core.datafile.sqlite, target).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppFailure);
    expect((failure as AppFailure).error.code).toBe('backup_failed');
    expect((failure as AppFailure).message).toContain(target);
    expect(fs.readdirSync(dir)).toEqual(['not-a-folder']);
    core.close();
  });
});

describe('a backup taken while the datafile is being written', () => {
  it('is one consistent moment: whole transactions only, and intact', () =>
    withSeed(async (random) => {
      const core = await newCore();
      const { sqlite } = core.datafile;
      // Enough data that the online backup takes many steps, with writes between them.
      sqlite.transaction(() => {
        sqlite.prepare("insert into site (id, uuid, code, name, name_key) values (2, ?, '2', 'Site A', 'site a')").run(randomUUID());
        const store = sqlite.prepare('insert into store (uuid, code, name, site_id) values (?, ?, ?, 2)');
        const record = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
        for (let i = 0; i < 1000; i += 1) {
          const storeId = Number(store.run(randomUUID(), `S${i}`, `Store ${i} ${'x'.repeat(200)}`).lastInsertRowid);
          for (let j = 0; j < 10; j += 1) record.run(randomUUID(), storeId, `I${j}`, `Item ${j} ${'y'.repeat(200)}`, 100);
        }
      })();
      const storeIds = (sqlite.prepare('select id from store').all() as { id: number }[]).map((r) => r.id);
      const total = () => (sqlite.prepare('select sum(quantity) as q from store_record').get() as { q: number }).q;
      const startTotal = total();

      // Each transaction adds a numbered line and takes its quantity from another line: the total
      // never changes, and the numbers have no gaps. A torn copy would break one or the other.
      let written = 0;
      let backingUp = true;
      const takeFrom = sqlite.prepare(
        'update store_record set quantity = quantity - ? where id = (select id from store_record where store_id = ? order by id limit 1)',
      );
      const addLine = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
      const write = sqlite.transaction((n: number) => {
        const quantity = 1 + random.below(50);
        const storeId = storeIds[random.below(storeIds.length)]!;
        takeFrom.run(quantity, storeId);
        addLine.run(randomUUID(), storeId, `T${n}`, `Moved ${'z'.repeat(random.below(400))}`, quantity);
      });
      const writer = (async () => {
        while (backingUp) {
          write(++written);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();

      const file = path.join(tempDir(), 'during-writes.sqlite');
      await backUpDatafile(sqlite, file);
      backingUp = false;
      await writer;
      // The backup ran over several turns of the event loop, with writes between them.
      expect(written).toBeGreaterThan(2);
      expect(total()).toBe(startTotal);

      expect(checkBackupIntegrity(file)).toBe('ok');
      const copy = openCopy(file);
      const copied = (
        copy.prepare("select cast(substr(item_code, 2) as integer) as n from store_record where item_code like 'T%' order by n").all() as {
          n: number;
        }[]
      ).map((r) => r.n);
      expect(copied).toEqual(copied.map((_, i) => i + 1));
      expect((copy.prepare('select sum(quantity) as q from store_record').get() as { q: number }).q).toBe(startTotal);
      expect(siteNames(copy)).toEqual(['Central server', 'Site A']);
      copy.close();
      core.close();
    }));
});

describe('dated backups in a folder', () => {
  it('keeps the newest ones up to the retention count and touches no other file', async () => {
    const core = await newCore();
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'keep me');
    const days = [1, 2, 3, 4, 5].map((d) => new Date(Date.UTC(2026, 10, d, 2, 0, 0)));
    let last;
    for (const now of days) last = await backUpToFolder(core.datafile.sqlite, folder, { keep: 3, now });
    expect(last!.removed.map((f) => path.basename(f))).toEqual([backupFileName(core.datafile.path, days[1]!)]);
    expect(listBackups(folder, core.datafile.path).map((f) => path.basename(f))).toEqual(
      days.slice(2).map((d) => backupFileName(core.datafile.path, d)),
    );
    expect(fs.readFileSync(path.join(folder, 'notes.txt'), 'utf8')).toBe('keep me');
    for (const backup of listBackups(folder, core.datafile.path)) expect(checkBackupIntegrity(backup)).toBe('ok');
    core.close();
  });

  it('names a backup after the datafile and the time, so the names sort by age', () => {
    expect(backupFileName('/srv/central.sqlite', new Date(Date.UTC(2026, 10, 28, 1, 30, 5)))).toBe('central-2026-11-28T013005Z.sqlite');
  });
});

describe('a datafile from an older version of the app', () => {
  function olderMigrations(): string {
    const folder = path.join(tempDir(), 'migrations');
    fs.cpSync(path.resolve('db', 'migrations'), folder, { recursive: true });
    const journalFile = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    const dropped = journal.entries.pop()!;
    fs.rmSync(path.join(folder, `${dropped.tag}.sql`));
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    return folder;
  }

  it('is backed up as the old version left it before it is migrated', async () => {
    const { openDatafile } = await import('../../db/datafile');
    const dir = tempDir();
    const file = path.join(dir, 'old.sqlite');
    const old = openDatafile(file, { create: true, migrationsFolder: olderMigrations() });
    const oldVersion = old.schemaVersion;
    old.sqlite.prepare("insert into site (id, uuid, code, name, name_key) values (5, ?, '5', 'Waikato', 'waikato')").run(randomUUID());
    old.close();

    const current = openDatafile(file);
    expect(current.schemaVersion).toBe(oldVersion + 1);
    current.close();

    const backups = fs.readdirSync(dir).filter((name) => name.startsWith(`old-before-migration-${oldVersion}-to-${oldVersion + 1}-`));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/\.sqlite$/);
    const backup = path.join(dir, backups[0]!);
    expect(checkBackupIntegrity(backup)).toBe('ok');
    const copy = openCopy(backup);
    expect(copy.pragma('user_version', { simple: true })).toBe(oldVersion);
    expect(siteNames(copy)).toEqual(['Waikato']);
    copy.close();
    expect(fs.readdirSync(dir).filter((name) => name.includes('before-migration'))).toEqual([backups[0]]);

    // Opening it again migrates nothing, so no second backup.
    openDatafile(file).close();
    expect(fs.readdirSync(dir).filter((name) => name.includes('before-migration'))).toHaveLength(1);
  });

  it('is not backed up when it is new or already current', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'new.sqlite');
    const core = await openCore(file, { create: true, hasher: fastHasher, setup: { admin: ADMIN } });
    core.close();
    (await openCore(file, { hasher: fastHasher })).close();
    expect(fs.readdirSync(dir).filter((name) => name.includes('before-migration'))).toEqual([]);
  });
});
