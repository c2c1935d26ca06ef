/**
 * A store's data is streamed to a site from store_record (never copied into the queue): whatever the
 * order of hand-outs, lost answers, lost acknowledgements and edits on the central while the stream
 * runs, a site that applies what it is handed and acknowledges it ends with exactly the central's
 * lines of its stores, and the queue empties.
 */
import Database from 'better-sqlite3';
import type { Actor } from '../../main/services/actor';
import type { QueuedRecord } from '../../main/sync/protocol';
import { storeRecordJsonSql } from '../../main/services/store-records';
import { adminOf } from '../helpers/core';
import { type SeededRandom, withSeed } from '../helpers/seeded-random';
import { type Central, WAIKATO } from './helpers';
import { centralWithSites, stopCentral, storeData, storesOfSite } from './store-sync-helpers';

let central: Central;
afterEach(async () => {
  if (central) await stopCentral(central);
});

type Line = Record<string, unknown> & { storeId: number };

/** Adds `count` stock lines to each of the stores on the central, straight into its datafile. */
function addLines(stores: number[], count: number, prefix: string): void {
  const { sqlite } = central.core.datafile;
  const insert = sqlite.prepare('insert into store_record (id, store_id, item_code, item_name, quantity) values (?, ?, ?, ?, ?)');
  sqlite.transaction(() => {
    for (const store of stores) for (let i = 0; i < count; i += 1) insert.run(`${prefix}-${store}-${i}`, store, `I${i}`, `Item ${i}`, i);
  })();
}

/** What a site does with what it is handed (queued-records.ts, without the datafile). */
function applyTo(site: Map<string, Line>, records: QueuedRecord[]): void {
  for (const record of records) {
    if (record.tableName === 'store_data') {
      for (const [id, line] of site) if (line.storeId === Number(record.recordId)) site.delete(id);
    } else if (record.action === 'delete') site.delete(record.recordId);
    else site.set(record.recordId, record.recordData as Line);
  }
}

const asRows = (site: Map<string, Line>) =>
  [...site.values()]
    .map(({ id, storeId, itemCode, itemName, quantity, updatedAt, version }) => ({ id, storeId, itemCode, itemName, quantity, updatedAt, version }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));

async function editOnCentral(random: SeededRandom, admin: Actor, stores: number[]): Promise<void> {
  const storeId = stores[random.below(stores.length)]!;
  const lines = central.core.stock.listLines({ storeId }).lines;
  const line = lines[random.below(lines.length)];
  const choice = random.below(3);
  if (choice === 0 || !line) {
    const n = random.below(1_000_000);
    central.core.stock.saveLine(admin, { storeId, lineId: null, itemCode: `NEW${n}`, itemName: `Added while streaming ${n}`, quantity: n % 50 });
  } else if (choice === 1) central.core.stock.saveLine(admin, { ...line, lineId: line.lineId, quantity: line.quantity + 1 });
  else central.core.stock.deleteLine(admin, { lineId: line.lineId });
}

describe("streaming a store's data to a site", () => {
  it('ends with the central’s lines exactly, through lost answers, lost acknowledgements and edits on the central meanwhile', async () => {
    central = await centralWithSites();
    const admin = await adminOf(central.core);
    const sync = central.running.server.centralStoreSync;
    const stores = storesOfSite(central.core, WAIKATO);
    const { sqlite } = central.core.datafile;
    await withSeed(async (random) => {
      for (let round = 0; round < 12; round += 1) {
        for (const storeId of stores) addLines([storeId], random.below(120), `r${round}`);
        // A fresh datafile each round (as Re-initialise): what it holds now is thrown away by the stream's first record.
        const site = new Map<string, Line>([['left-over', { id: 'left-over', storeId: stores[0]! }]]);
        sync.initialise(WAIKATO, { reinitialise: true, instanceId: `round-${round}` });
        let pending: number[] = [];
        let limit = 1 + random.below(40);
        for (let step = 0; step < 10_000; step += 1) {
          // As the remote does: what was applied but not acknowledged is acknowledged before the next pull.
          if (pending.length > 0) sync.acknowledge(WAIKATO, pending);
          pending = [];
          if (random.next() < 0.3) await editOnCentral(random, admin, stores);
          // A remote asks for the same number each time; now and then another number.
          if (random.next() < 0.3) limit = 1 + random.below(40);
          const answer = JSON.parse(sync.queuedRecordsJson(WAIKATO, limit).json) as { queueLength: number; data: QueuedRecord[] };
          if (answer.data.length === 0) {
            expect(answer.queueLength).toBe(0);
            break;
          }
          // The count left covers what was handed out.
          expect(answer.queueLength).toBeGreaterThanOrEqual(answer.data.length);
          // The central reads ahead once its answer has gone out (data-routes.ts), before or after edits of its own.
          if (random.next() < 0.5) sync.readAhead(WAIKATO);
          if (random.next() < 0.2) continue; // the answer was lost on the way: nothing applied, nothing acknowledged
          applyTo(site, answer.data);
          pending = [...new Set(answer.data.map((r) => r.syncOutId))];
          if (random.next() < 0.2) continue; // applied, but the acknowledgement was lost: sent again before the next pull
          sync.acknowledge(WAIKATO, pending);
          pending = [];
        }
        expect(asRows(site)).toEqual(storeData(central.core, stores));
        expect(sqlite.prepare('select count(*) from sync_out where site_id = ?').pluck().get(WAIKATO)).toBe(0);
      }
    });
  });

  it('hands out the lines with the store’s entry and counts what is left; a lost answer is handed out again from the same place', async () => {
    central = await centralWithSites();
    const sync = central.running.server.centralStoreSync;
    const stores = storesOfSite(central.core, WAIKATO);
    const { sqlite } = central.core.datafile;
    addLines(stores, 25, 'line');
    const { queueLength } = sync.initialise(WAIKATO, { reinitialise: true, instanceId: 'probe' });
    // Every line, and each store's entry ("drop what you hold of this store").
    const total = queueLength + stores.length;
    const pull = (limit: number) => JSON.parse(sync.queuedRecordsJson(WAIKATO, limit).json) as { queueLength: number; data: QueuedRecord[] };

    const first = pull(10);
    expect(first.queueLength).toBe(total);
    const entry = first.data[0]!;
    expect(entry).toMatchObject({ tableName: 'store_data', action: 'insert' });
    const lines = first.data.slice(1);
    expect(lines.every((r) => r.syncOutId === entry.syncOutId && r.tableName === 'store_record' && r.action === 'insert')).toBe(true);
    // Lost: the same records again.
    expect(pull(10)).toEqual(first);
    sync.acknowledge(WAIKATO, [entry.syncOutId]);
    const second = pull(10);
    // The entry is not sent again once acknowledged; the next lines follow on.
    expect(second.queueLength).toBe(total - 10);
    // The sites list counts records as the pulls do, not queue rows.
    expect(central.core.siteSyncHealth.get(WAIKATO).queued).toBe(total - 10);
    expect(central.core.siteSyncHealth.list().rows.find((row) => row.siteId === WAIKATO)?.queued).toBe(total - 10);
    expect(second.data[0]!.tableName).toBe('store_record');
    expect(new Set([...first.data, ...second.data].map((r) => r.recordId)).size).toBe(20);
    // Same wire shape as every other stock line the central sends (storeRecordJsonSql).
    const line = second.data[0]!;
    const stored = sqlite
      .prepare(`select ${storeRecordJsonSql('r')} from store_record r where id = ?`)
      .pluck()
      .get(line.recordId) as string;
    expect(line.recordData).toEqual(JSON.parse(stored));
    expect(line.recordData).toMatchObject({ storeId: Number(entry.recordId), version: 1, changedBySiteId: null });
  });
});

describe('reading a stream ahead', () => {
  it('hands out what it read only while no stock line was written since, by this process or another', async () => {
    central = await centralWithSites();
    const sync = central.running.server.centralStoreSync;
    const stores = storesOfSite(central.core, WAIKATO);
    const { sqlite } = central.core.datafile;
    addLines(stores, 40, 'ahead');
    sync.initialise(WAIKATO, { reinitialise: true, instanceId: 'probe' });
    /** A site's pull of 7 and its acknowledgement; then the central reads ahead, as once its answer has gone out. */
    const pull = () => {
      const answer = JSON.parse(sync.queuedRecordsJson(WAIKATO, 7).json) as { data: QueuedRecord[] };
      sync.acknowledge(WAIKATO, [...new Set(answer.data.map((r) => r.syncOutId))]);
      sync.readAhead(WAIKATO);
      return answer.data;
    };
    const quantities = (records: QueuedRecord[]) => records.map((r) => (r.recordData as { quantity: number }).quantity);
    pull();

    // Nothing written: the next pull is served from what was read ahead.
    let used = sync.readAheadsUsed;
    const plain = pull();
    expect(sync.readAheadsUsed).toBe(used + 1);
    expect(quantities(plain).every((q) => q < 40)).toBe(true);

    // Lines written by this process (as integrating a site's change does, which queues nothing for the site): read afresh.
    used = sync.readAheadsUsed;
    sqlite
      .prepare('update store_record set quantity = quantity + 100, version = version + 1 where store_id in (select value from json_each(?))')
      .run(JSON.stringify(stores));
    const afterWrite = pull();
    expect(sync.readAheadsUsed).toBe(used);
    expect(quantities(afterWrite).every((q) => q >= 100)).toBe(true);

    // A write that was rolled back changed nothing: what was read ahead still holds.
    expect(() =>
      sqlite.transaction(() => {
        sqlite.prepare('update store_record set quantity = 0').run();
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    used = sync.readAheadsUsed;
    expect(quantities(pull()).every((q) => q >= 100)).toBe(true);
    expect(sync.readAheadsUsed).toBe(used + 1);

    // Lines written by another process on the same datafile: read afresh.
    const other = new Database(central.core.datafile.path);
    try {
      other.prepare("update store_record set item_name = 'Renamed elsewhere'").run();
      used = sync.readAheadsUsed;
      const afterOther = pull();
      expect(sync.readAheadsUsed).toBe(used);
      expect(afterOther.map((r) => (r.recordData as { itemName: string }).itemName)).toEqual(afterOther.map(() => 'Renamed elsewhere'));
    } finally {
      other.close();
    }
  });
});
