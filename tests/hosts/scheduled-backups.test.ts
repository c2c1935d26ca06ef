/**
 * The server's --backup-dir schedule: a backup at start unless a recent one is there, then one per
 * interval, never more than `keep` kept, and stopping waits for a backup in progress.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startScheduledBackups } from '../../main/hosts/scheduled-backups';
import { backUpToFolder, checkBackupIntegrity, listBackups } from '../../main/services/backup';
import { eventually } from '../helpers/eventually';
import { newCore, tempDir } from '../helpers/core';

it('backs up at start, then every interval, keeping the newest ones', async () => {
  const core = await newCore();
  const folder = path.join(tempDir(), 'backups');
  let clock = Date.UTC(2026, 10, 1);
  const made: string[] = [];
  const schedule = startScheduledBackups(core.datafile.sqlite, {
    folder,
    keep: 2,
    intervalMs: 50,
    // Each backup a "day" later, so each gets its own name.
    now: () => new Date((clock += 86_400_000)),
    onBackup: (result) => made.push(result.file),
    onError: (error) => {
      throw error;
    },
  });
  await eventually(() => expect(made.length).toBeGreaterThanOrEqual(4));
  await schedule.stop();
  const kept = listBackups(folder, core.datafile.path);
  expect(kept).toEqual(made.slice(-2));
  for (const file of kept) expect(checkBackupIntegrity(file)).toBe('ok');
  core.close();
});

it('does not back up at start when the folder holds a backup younger than the interval', async () => {
  const core = await newCore();
  const folder = tempDir();
  await backUpToFolder(core.datafile.sqlite, folder, { keep: 5 });
  const made: string[] = [];
  const schedule = startScheduledBackups(core.datafile.sqlite, { folder, keep: 5, onBackup: (result) => made.push(result.file) });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await schedule.stop();
  expect(made).toEqual([]);
  expect(listBackups(folder, core.datafile.path)).toHaveLength(1);
  core.close();
});

it('stop() waits for the backup under way, so the datafile can be closed after it', async () => {
  const core = await newCore({ demo: true });
  // Big enough that SQLite copies it in many steps (100 pages each, one per turn of the event loop).
  const { sqlite } = core.datafile;
  const store = sqlite.prepare('select id from store limit 1').pluck().get() as number;
  const insert = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, 1)');
  sqlite.transaction(() => {
    for (let i = 0; i < 20_000; i += 1) insert.run(`line-${i}`, store, `ITEM-${i}`, `Item ${i} `.padEnd(200, 'x'));
  })();
  const folder = tempDir();
  let done = 0;
  const schedule = startScheduledBackups(core.datafile.sqlite, { folder, keep: 1, onBackup: () => (done += 1) });
  // The first backup starts from a timer of 0 ms: stop once its copy is under way.
  const copying = () => fs.readdirSync(folder).some((name) => name.endsWith('.partial'));
  for (let turn = 0; turn < 100_000 && !copying(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  expect(copying()).toBe(true);
  expect(done).toBe(0);
  await schedule.stop();
  core.close();
  expect(done).toBe(1);
  expect(fs.readdirSync(folder).filter((name) => name.endsWith('.partial'))).toEqual([]);
  expect(checkBackupIntegrity(listBackups(folder, core.datafile.path)[0]!)).toBe('ok');
});
