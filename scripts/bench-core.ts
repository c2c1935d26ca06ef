/**
 * Benchmarks of the datafile core on a large system: 10,000 sites and 50,000 stores.
 * Prints figures; goals: listing and searching the sites window under 10 ms (median), and a save
 * that moves 1,000 stores and queues 100,000 store-data records under 1 s.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCore } from '../main/core';
import { systemActor } from '../main/services/actor';
import { PasswordHasher } from '../main/services/passwords';
import { nameKey } from '../shared/names';
import { median } from './bench-stats';

const SITES = 10_000;
const STORES = 50_000;
const MOVED_STORES = 1_000;
const RECORDS = 100_000;

function timeMs(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function report(label: string, value: number, goal: number, unit = 'ms') {
  const verdict = value <= goal ? 'ok' : 'OVER GOAL';
  console.log(`  ${label.padEnd(58)} ${value.toFixed(2).padStart(9)} ${unit}  (goal < ${goal} ${unit}: ${verdict})`);
}

export async function benchCore(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-sites-bench-'));
  const file = path.join(dir, 'bench.sqlite');
  const hasher = new PasswordHasher({ N: 1024, r: 8, p: 1, keyLength: 32 });
  const core = await openCore(file, { create: true, hasher, setup: { admin: { userName: 'admin', password: 'bench password' } } });
  const { sqlite } = core.datafile;

  console.log(`Datafile core: ${SITES.toLocaleString()} sites, ${STORES.toLocaleString()} stores (${file})`);
  const seedMs = timeMs(() =>
    sqlite.transaction(() => {
      const site = sqlite.prepare('insert into site (id, uuid, code, name, name_key, type) values (?, ?, ?, ?, ?, ?)');
      for (let id = 2; id <= SITES; id += 1) {
        const name = `Site ${String(id).padStart(5, '0')} ${['Clinic', 'Hospital', 'Health Centre', 'Store'][id % 4]}`;
        site.run(id, randomUUID(), `C${id}`, name, nameKey(name), id % 7 === 0 ? 'mobile' : 'standalone');
      }
      const store = sqlite.prepare('insert into store (id, uuid, code, name, site_id) values (?, ?, ?, ?, ?)');
      // Stores 1..1000 sit on the central server site (they are the ones the save moves);
      // the rest are spread over the other sites.
      for (let id = 1; id <= STORES; id += 1) {
        const siteId = id <= MOVED_STORES ? 1 : 2 + (id % (SITES - 1));
        store.run(id, randomUUID(), `ST${id}`, `Store ${id}`, siteId);
      }
      const record = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
      for (let i = 0; i < RECORDS; i += 1) {
        record.run(randomUUID(), 1 + (i % MOVED_STORES), `ITEM${i % 500}`, `Item number ${i % 500}`, i % 97);
      }
    })(),
  );
  sqlite.pragma('optimize');
  // The seed's write-ahead log is folded into the datafile now, so the save below is not charged
  // for checkpointing data it did not write.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s`);

  const runs = 30;
  const listTimes: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i += 1) listTimes.push(timeMs(() => (rows = core.sites.listSites({}).rows.length)));
  report(`list the sites window's rows (${rows.toLocaleString()} rows, median of ${runs})`, median(listTimes), 10);

  // After any change the rows are read from the datafile again once.
  const coldTimes: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    sqlite.prepare('update site set code = code where id = 2').run();
    coldTimes.push(timeMs(() => core.sites.listSites({})));
  }
  console.log(
    `  ${'first list after a change (rows re-read from the datafile)'.padEnd(58)} ${median(coldTimes).toFixed(2).padStart(9)} ms  (information)`,
  );

  const searches = ['Hospital', '123', 'c45', 'Site 09', 'zzz', 'Health Centre'];
  const searchTimes: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const search = searches[i % searches.length]!;
    searchTimes.push(timeMs(() => core.sites.listSites({ search })));
  }
  report(`search the sites (median of ${runs}, ${searches.length} different terms)`, median(searchTimes), 10);

  // The same 1,000 stores move three times (to sites 2, 3 and 4): each save cancels what the old
  // site had queued for them and queues "send this store's data" for each at the site that gains
  // them (their 100,000 records are read when they are sent). The median of the three is the figure.
  const storeIds = Array.from({ length: MOVED_STORES }, (_, i) => i + 1);
  const saveTimes: number[] = [];
  let queued = 0;
  for (const siteId of [2, 3, 4]) {
    const target = core.sites.getSite({ siteId });
    const start = process.hrtime.bigint();
    const result = await core.sites.saveSite(systemActor, {
      siteId: target.siteId,
      expectedVersion: target.version,
      code: target.code,
      name: target.name,
      type: target.type,
      useJsNodeHttpClient: target.useJsNodeHttpClient,
      addStoreIds: storeIds,
      removeStoreIds: [],
      confirmations: [],
    });
    saveTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 'saved') throw new Error('the bench save asked for a confirmation');
    queued = result.queuedRecords;
  }
  report(
    `save a site moving ${MOVED_STORES.toLocaleString()} stores with ${queued.toLocaleString()} records to send (median of 3)`,
    median(saveTimes),
    500,
  );
  console.log(`  ${'  the three saves'.padEnd(58)} ${saveTimes.map((t) => t.toFixed(0)).join(', ')} ms`);

  // The sites list's sync columns on the central: every site's status and counts, read each time
  // the list refreshes (every 5 s while it is shown). Site 4 now has 1,000 store entries queued.
  const healthTimes: number[] = [];
  let healthRows = 0;
  for (let i = 0; i < 10; i += 1) healthTimes.push(timeMs(() => (healthRows = core.siteSyncHealth.list().rows.length)));
  report(`sync status of every site (${healthRows.toLocaleString()} rows, median of 10)`, median(healthTimes), 10);
  const healthColdTimes: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    sqlite.prepare('update site set last_connected_at = ? where id = 2').run(new Date().toISOString());
    healthColdTimes.push(timeMs(() => core.siteSyncHealth.list()));
  }
  console.log(`  ${'  the first after a change (rows read again)'.padEnd(58)} ${median(healthColdTimes).toFixed(2).padStart(9)} ms  (information)`);
  core.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

if (require.main === module) {
  benchCore().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
