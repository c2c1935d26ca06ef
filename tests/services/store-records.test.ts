/**
 * Applying a received stock line (storeRecordStatements.upsert), as sync does at both ends: a new
 * line is added, a known one takes the new values, and a line that arrives under another store
 * moves there (the update leaves the store out of its SET list, so this takes its own statement).
 * A batch of lines written together (upsertMany) leaves the same lines as writing them one by one.
 */
import path from 'node:path';
import { openDatafile } from '../../db/datafile';
import { type StoreRecordData, storeRecordStatements } from '../../main/services/store-records';
import { tempDir } from '../helpers/core';
import { withSeed } from '../helpers/seeded-random';

function datafileWithStores() {
  const datafile = openDatafile(path.join(tempDir('store-records-'), 'records.sqlite'), { create: true });
  const { sqlite } = datafile;
  sqlite.prepare("insert into site (id, uuid, code, name, name_key, type, is_central) values (1, 's1', 'S1', 'Site', 'site', 'standalone', 1)").run();
  for (const id of [1, 2])
    sqlite.prepare('insert into store (id, uuid, code, name, site_id) values (?, ?, ?, ?, 1)').run(id, `st${id}`, `ST${id}`, `Store ${id}`);
  return datafile;
}

const line = (change: Partial<StoreRecordData> = {}): StoreRecordData => ({
  id: 'line-1',
  storeId: 1,
  itemCode: 'AMOX',
  itemName: 'Amoxicillin 250mg',
  quantity: 10,
  updatedAt: '2026-11-28T10:00:00.000Z',
  version: 1,
  changedBySiteId: null,
  ...change,
});

describe('applying a received stock line', () => {
  it('adds a new line, updates a known one in its store, and moves one that arrives under another store', () => {
    const datafile = datafileWithStores();
    try {
      const { sqlite } = datafile;
      const { upsert } = storeRecordStatements(sqlite);
      const linesOf = (storeId: number) =>
        sqlite.prepare('select id, item_name as itemName, quantity, version from store_record where store_id = ? order by id').all(storeId);

      upsert(line());
      expect(linesOf(1)).toEqual([{ id: 'line-1', itemName: 'Amoxicillin 250mg', quantity: 10, version: 1 }]);

      upsert(line({ quantity: 7, version: 2, itemName: 'Amoxicillin 250 mg' }));
      expect(linesOf(1)).toEqual([{ id: 'line-1', itemName: 'Amoxicillin 250 mg', quantity: 7, version: 2 }]);

      upsert(line({ storeId: 2, quantity: 5, version: 3 }));
      expect(linesOf(1)).toEqual([]);
      expect(linesOf(2)).toEqual([{ id: 'line-1', itemName: 'Amoxicillin 250mg', quantity: 5, version: 3 }]);
      expect(sqlite.prepare('pragma integrity_check').pluck().get()).toBe('ok');
    } finally {
      datafile.sqlite.close();
    }
  });

  it('writes a batch of lines together with the same result as one by one: new, changed, repeated, and moved between stores', async () => {
    await withSeed(async (random) => {
      const together = datafileWithStores();
      const oneByOne = datafileWithStores();
      try {
        const many = storeRecordStatements(together.sqlite);
        const single = storeRecordStatements(oneByOne.sqlite);
        const contents = (sqlite: typeof together.sqlite) =>
          sqlite.prepare('select id, store_id, item_name, quantity, version, changed_by_site_id from store_record order by id').all();
        let moved = 0;
        for (let round = 0; round < 30; round += 1) {
          // Sizes around the chunk of 50: none, fewer, exactly, one over, several chunks and a rest.
          const size = [0, 1, 49, 50, 51, 100, 137, 260][random.below(8)]!;
          const batch: StoreRecordData[] = [];
          for (let i = 0; i < size; i += 1) {
            // Few ids, so lines repeat within a batch and arrive under the other store.
            const storeId = 1 + random.below(2);
            batch.push(
              line({
                id: `line-${random.below(120)}`,
                storeId,
                quantity: random.below(1000),
                version: 1 + round,
                itemName: `Item ${random.below(5)}`,
                changedBySiteId: random.below(2) === 0 ? null : 1,
              }),
            );
          }
          const before = new Map((contents(together.sqlite) as { id: string; store_id: number }[]).map((r) => [r.id, r.store_id]));
          moved += batch.filter((l) => before.has(l.id) && before.get(l.id) !== l.storeId).length;
          together.sqlite.transaction(() => many.upsertMany(batch))();
          oneByOne.sqlite.transaction(() => batch.forEach((l) => single.upsert(l)))();
          expect(contents(together.sqlite)).toEqual(contents(oneByOne.sqlite));
        }
        // The run did move lines between stores inside batches written together.
        expect(moved).toBeGreaterThan(0);
        expect(together.sqlite.prepare('pragma integrity_check').pluck().get()).toBe('ok');
      } finally {
        together.sqlite.close();
        oneByOne.sqlite.close();
      }
    });
  });
});
