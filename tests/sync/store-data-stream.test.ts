/**
 * A store's data is streamed to a site from store_record (never copied into the queue): whatever the
 * order of hand-outs, lost answers, lost acknowledgements and edits on the central while the stream
 * runs, a site that applies what it is handed and acknowledges it ends with exactly the central's
 * lines of its stores, and the queue empties.
 */
import Database from 'better-sqlite3';
import type { Actor } from '../../main/services/actor';
import type { QueuedRecord } from '../../main/sync/protocol';
import { acknowledgementOf } from '../../main/sync/remote/queued-records';
import { storeRecordJsonSql } from '../../main/services/store-records';
import { adminOf } from '../helpers/core';
import { type SeededRandom, withSeed } from '../helpers/seeded-random';
import { type Central, KOPU, syncCall, WAIKATO } from './helpers';
import { centralWithSites, remoteSite, stopCentral, storeData, storesOfSite, syncOk, WAIKATO_PASSWORD } from './store-sync-helpers';

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

/** The end of a stream: the site holds exactly the central's lines of its stores, and nothing is left queued for it. */
function expectStreamedExactly(site: Map<string, Line>, stores: number[]): void {
  expect(asRows(site)).toEqual(storeData(central.core, stores));
  expect(central.core.datafile.sqlite.prepare('select count(*) from sync_out where site_id = ?').pluck().get(WAIKATO)).toBe(0);
}

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
        expectStreamedExactly(site, stores);
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

type Answer = { queueLength: number; data: QueuedRecord[] };

describe('pulling ahead while a batch is applied', () => {
  it('ends with the central’s lines exactly, through lost answers and acknowledgements, pulls ahead and edits on the central meanwhile', async () => {
    central = await centralWithSites();
    const admin = await adminOf(central.core);
    const sync = central.running.server.centralStoreSync;
    const stores = storesOfSite(central.core, WAIKATO);
    const normal = (limit: number) => JSON.parse(sync.queuedRecordsJson(WAIKATO, limit).json) as Answer;
    const ahead = (limit: number, last: QueuedRecord) =>
      JSON.parse(sync.queuedRecordsAheadJson(WAIKATO, limit, last.syncOutId, last.recordId)) as Answer;
    await withSeed(async (random) => {
      for (let round = 0; round < 12; round += 1) {
        for (const storeId of stores) addLines([storeId], random.below(120), `a${round}`);
        const site = new Map<string, Line>([['left-over', { id: 'left-over', storeId: stores[0]! }]]);
        sync.initialise(WAIKATO, { reinitialise: true, instanceId: `ahead-${round}` });
        // As the remote does (queued-records.ts): applied but unacknowledged batches are acknowledged, merged, before a normal pull.
        let owed: QueuedRecord[] = [];
        const limit = 1 + random.below(30);
        let answer: Answer | null = null;
        for (let step = 0; step < 10_000; step += 1) {
          if (random.next() < 0.2) await editOnCentral(random, admin, stores);
          if (!answer) {
            if (owed.length > 0) {
              const { syncIDs, appliedUpTo } = acknowledgementOf(owed);
              sync.acknowledge(WAIKATO, syncIDs, appliedUpTo);
            }
            owed = [];
            answer = normal(limit);
            if (answer.data.length === 0) break;
          }
          // The pull ahead leaves before the batch is applied; the central reads ahead once an answer has gone out.
          const last: QueuedRecord = answer.data[answer.data.length - 1]!;
          const next: Answer | null =
            answer.data.length === limit && last.tableName === 'store_record' && random.next() < 0.8 ? ahead(limit, last) : null;
          if (random.next() < 0.5) sync.readAhead(WAIKATO);
          if (random.next() < 0.1) await editOnCentral(random, admin, stores);
          if (random.next() < 0.15) {
            answer = null; // the run was cut off before applying: the next run pulls as usual
            continue;
          }
          applyTo(site, answer.data);
          owed.push(...answer.data);
          // The acknowledgement of what was applied so far; now and then it is lost and sent again later, merged with the next.
          if (random.next() < 0.8) {
            const acknowledgement = acknowledgementOf(owed);
            sync.acknowledge(WAIKATO, acknowledgement.syncIDs, acknowledgement.appliedUpTo);
            owed = [];
          }
          answer = next && next.data.length > 0 && random.next() < 0.9 ? next : null;
        }
        expectStreamedExactly(site, stores);
      }
    });
  });

  it('answers a pull ahead only from where the site was handed lines, and an acknowledgement goes no further than that', async () => {
    central = await centralWithSites();
    const sync = central.running.server.centralStoreSync;
    const stores = storesOfSite(central.core, WAIKATO);
    addLines(stores, 60, 'pos');
    addLines(storesOfSite(central.core, KOPU), 5, 'kopu');
    sync.initialise(WAIKATO, { reinitialise: true, instanceId: 'probe' });
    sync.initialise(KOPU, { reinitialise: true, instanceId: 'probe-kopu' });
    const normal = () => JSON.parse(sync.queuedRecordsJson(WAIKATO, 10).json) as Answer;
    const ahead = (entry: number, after: string) => JSON.parse(sync.queuedRecordsAheadJson(WAIKATO, 10, entry, after)) as Answer;
    const ids = (answer: Answer) => answer.data.filter((r) => r.tableName === 'store_record').map((r) => r.recordId);

    const first = normal();
    const entry = first.data[0]!.syncOutId;
    const firstLines = ids(first);
    // A store's lines come in id order.
    expect(firstLines).toEqual([...firstLines].sort());
    const second = ahead(entry, firstLines.at(-1)!);
    expect(second.data.every((r) => r.syncOutId === entry && r.tableName === 'store_record')).toBe(true);
    expect(ids(second)[0]! > firstLines.at(-1)!).toBe(true);
    // Positions never handed out, another site's entry, or behind what was acknowledged: no data.
    expect(ahead(entry, 'zzzz').data).toEqual([]);
    const kopuEntry = (JSON.parse(sync.queuedRecordsJson(KOPU, 1).json) as Answer).data[0]!.syncOutId;
    expect(ahead(kopuEntry, '').data).toEqual([]);
    sync.acknowledge(WAIKATO, [entry], [{ syncOutId: entry, recordId: ids(second).at(-1)! }]);
    expect(ahead(entry, firstLines.at(-1)!).data).toEqual([]);

    // Acknowledged up to the first batch only, although the second was handed out: the second comes again.
    const third = ahead(entry, ids(second).at(-1)!);
    sync.acknowledge(WAIKATO, [entry], [{ syncOutId: entry, recordId: ids(third)[4]! }]);
    expect(ids(normal())[0]).toBe(ids(third)[5]);
    // A position beyond what was handed out counts only what was handed out: nothing is skipped.
    const ofEntry = (answer: Answer) => answer.data.filter((r) => r.syncOutId === entry && r.tableName === 'store_record').map((r) => r.recordId);
    // Never back either.
    sync.acknowledge(WAIKATO, [entry], [{ syncOutId: entry, recordId: ids(first)[2]! }]);
    const handed = ofEntry(normal());
    expect(handed[0]).toBe(ids(third)[5]);
    sync.acknowledge(WAIKATO, [entry], [{ syncOutId: entry, recordId: 'zzzz' }]);
    const storeLines = storeData(central.core, [stores[0]!]).map((l) => l.id);
    expect(storeLines.indexOf(handed.at(-1)!)).toBe(33);
    expect(ofEntry(normal())[0]).toBe(storeLines[34]);
  });

  it('goes on with the next store when a store’s lines end before the batch is full, with no pull in between', async () => {
    central = await centralWithSites();
    const sync = central.running.server.centralStoreSync;
    const [storeA, storeB] = storesOfSite(central.core, WAIKATO);
    // 15 lines in each store, whatever the demo data put there.
    central.core.datafile.sqlite.prepare('delete from store_record where store_id in (?, ?)').run(storeA, storeB);
    addLines([storeA!, storeB!], 15, 'next');
    sync.initialise(WAIKATO, { reinitialise: true, instanceId: 'next-store' });
    const ahead = (last: QueuedRecord) => JSON.parse(sync.queuedRecordsAheadJson(WAIKATO, 10, last.syncOutId, last.recordId)) as Answer;
    const shape = (answer: Answer) => answer.data.map((r) => (r.tableName === 'store_data' ? `drop ${r.recordId}` : `line ${r.recordData?.storeId}`));

    const first = JSON.parse(sync.queuedRecordsJson(WAIKATO, 10).json) as Answer;
    expect(shape(first)).toEqual([`drop ${storeA}`, ...Array<string>(9).fill(`line ${storeA}`)]);
    // The last 6 lines of A, then B's "drop what you hold" and B's first lines: a full batch.
    const second = ahead(first.data.at(-1)!);
    expect(shape(second)).toEqual([...Array<string>(6).fill(`line ${storeA}`), `drop ${storeB}`, ...Array<string>(3).fill(`line ${storeB}`)]);
    const third = ahead(second.data.at(-1)!);
    expect(shape(third).slice(0, 10)).toEqual(Array<string>(10).fill(`line ${storeB}`));

    const site = new Map<string, Line>();
    for (const answer of [first, second, third]) applyTo(site, answer.data);
    for (const answer of [first, second, third]) {
      const { syncIDs, appliedUpTo } = acknowledgementOf(answer.data);
      sync.acknowledge(WAIKATO, syncIDs, appliedUpTo);
    }
    const rest = JSON.parse(sync.queuedRecordsJson(WAIKATO, 100).json) as Answer;
    applyTo(site, rest.data);
    const { syncIDs, appliedUpTo } = acknowledgementOf(rest.data);
    sync.acknowledge(WAIKATO, syncIDs, appliedUpTo);
    expect(asRows(site).filter((line) => line.storeId === storeA || line.storeId === storeB)).toEqual(storeData(central.core, [storeA!, storeB!]));
  });

  it('refuses a pull ahead or an acknowledgement it cannot read, in words', async () => {
    central = await centralWithSites();
    const pullAhead = (query: string) => syncCall(central.url, `/sync/v5/queued_records?limit=10&${query}`, { password: 'waikato password' });
    for (const query of [
      'streamEntry=1',
      'streamAfter=x',
      'streamEntry=0&streamAfter=x',
      'streamEntry=abc&streamAfter=x',
      `streamEntry=1&streamAfter=${'x'.repeat(201)}`,
    ]) {
      const answer = await pullAhead(query);
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toMatch(/streamEntry must be a positive whole number and streamAfter a line ID/);
    }
    const ack = await syncCall(central.url, '/sync/v5/acknowledged_records', {
      method: 'POST',
      password: 'waikato password',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ syncIDs: [1], appliedUpTo: [{ syncOutId: 1, recordId: '' }] }),
    });
    expect(ack.status).toBe(400);
    expect(ack.json.error.message).toMatch(/appliedUpTo/);
  });
});

describe('reading a stream ahead', () => {
  it("reads an initialising site's first batch ahead, at the size sites ask for by default", async () => {
    central = await centralWithSites();
    const sync = central.running.server.centralStoreSync;
    const stores = storesOfSite(central.core, WAIKATO);
    addLines(stores, 30, 'first');
    const remote = await remoteSite(central.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device');
    try {
      const used = sync.readAheadsUsed;
      await syncOk(remote);
      // The first store's lines, and, as they end within the batch, the second store's (all 30 of each fit).
      expect(stores).toHaveLength(2);
      expect(sync.readAheadsUsed).toBe(used + 2);
      expect(storeData(remote, stores)).toEqual(storeData(central.core, stores));
    } finally {
      remote.close();
    }
  });

  it('reads the next store’s first lines ahead too when the store being streamed ends within the batch, and only while nothing was written', async () => {
    central = await centralWithSites();
    const sync = central.running.server.centralStoreSync;
    const [storeA, storeB] = storesOfSite(central.core, WAIKATO);
    const { sqlite } = central.core.datafile;
    sqlite.prepare('delete from store_record where store_id in (?, ?)').run(storeA, storeB);
    addLines([storeA!, storeB!], 15, 'across');
    const shape = (answer: Answer) => answer.data.map((r) => (r.tableName === 'store_data' ? `drop ${r.recordId}` : `line ${r.recordData?.storeId}`));
    const expected = [...Array<string>(6).fill(`line ${storeA}`), `drop ${storeB}`, ...Array<string>(3).fill(`line ${storeB}`)];

    for (const writeMeanwhile of [false, true]) {
      sync.initialise(WAIKATO, { reinitialise: true, instanceId: `across-${writeMeanwhile}` });
      const first = JSON.parse(sync.queuedRecordsJson(WAIKATO, 10).json) as Answer;
      // The answer has gone out: the rest of A (6 lines) and, in the room left after B's entry, B's first 3 lines are read.
      sync.readAhead(WAIKATO);
      if (writeMeanwhile) sqlite.prepare("update store_record set item_name = 'Changed meanwhile' where store_id = ?").run(storeB);
      const used = sync.readAheadsUsed;
      const last = first.data.at(-1)!;
      const second = JSON.parse(sync.queuedRecordsAheadJson(WAIKATO, 10, last.syncOutId, last.recordId)) as Answer;
      expect(shape(second)).toEqual(expected);
      expect(sync.readAheadsUsed).toBe(writeMeanwhile ? used : used + 2);
      const names = second.data.filter((r) => r.recordData?.storeId === storeB).map((r) => r.recordData?.itemName);
      expect(names.every((name) => (name === 'Changed meanwhile') === writeMeanwhile)).toBe(true);
    }
  });

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
