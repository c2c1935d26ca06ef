/**
 * Store data (stock lines) as this datafile keeps it and as it travels: the table name and JSON
 * shape both ends of sync use, one way to apply a received record, and one way to queue a store's
 * lines for a site. Applying is idempotent, which is what at-least-once delivery needs: an upsert
 * of the same data twice changes nothing, and deleting a row that is already gone is a no-op.
 *
 * Raw SQL (not drizzle): these statements run per record in sync's hot paths, and the JSON of a
 * record is built inside SQLite so a batch of thousands costs no per-record JavaScript objects.
 */
import type Database from 'better-sqlite3';

/** The one store-data table that travels. */
export const STORE_RECORD_TABLE = 'store_record';

/** A stock line: the same fields in the datafile (snake_case columns) and on the wire (JSON). */
export interface StoreRecordData {
  id: string;
  storeId: number;
  itemCode: string;
  itemName: string;
  quantity: number;
  updatedAt: string;
}

/** SQL building a stock line's wire JSON from the row aliased `alias`. */
export const storeRecordJsonSql = (alias: string) =>
  `json_object('id', ${alias}.id, 'storeId', ${alias}.store_id, 'itemCode', ${alias}.item_code, 'itemName', ${alias}.item_name,
               'quantity', ${alias}.quantity, 'updatedAt', ${alias}.updated_at)`;

/** Reads a received record's data; null when it is not a usable stock line. */
export function readStoreRecordData(recordId: string, raw: unknown): StoreRecordData | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.id !== recordId) return null;
  if (typeof r.storeId !== 'number' || !Number.isInteger(r.storeId) || r.storeId <= 0) return null;
  if (typeof r.itemCode !== 'string' || typeof r.itemName !== 'string') return null;
  if (typeof r.quantity !== 'number' || !Number.isFinite(r.quantity)) return null;
  if (typeof r.updatedAt !== 'string') return null;
  return {
    id: recordId,
    storeId: r.storeId,
    itemCode: r.itemCode,
    itemName: r.itemName,
    quantity: r.quantity,
    updatedAt: r.updatedAt,
  };
}

/** Prepared statements that apply received store data; prepare once per datafile. */
export function storeRecordStatements(sqlite: Database.Database) {
  const upsert = sqlite.prepare(
    `insert into store_record (id, store_id, item_code, item_name, quantity, updated_at)
     values (@id, @storeId, @itemCode, @itemName, @quantity, @updatedAt)
     on conflict(id) do update set store_id = excluded.store_id, item_code = excluded.item_code,
       item_name = excluded.item_name, quantity = excluded.quantity, updated_at = excluded.updated_at`,
  );
  const remove = sqlite.prepare('delete from store_record where id = ?');
  const storeOf = sqlite.prepare('select store_id as storeId from store_record where id = ?').pluck();
  return {
    upsert: (data: StoreRecordData) => upsert.run(data),
    remove: (recordId: string) => remove.run(recordId),
    /** The store a record is in now, or undefined when there is no such record. */
    storeOf: (recordId: string) => storeOf.get(recordId) as number | undefined,
  };
}

/** Which stock lines to queue: those of some stores, or a rowid range of all the stores on the site. */
export type StoreRecordSelection =
  | { storeIds: readonly number[] }
  | { storesOfSite: true; afterRowid: number; uptoRowid: number };

/**
 * Queues, in the site's sync_out, an insert of every selected stock line, numbered after what the
 * site already has queued. The caller runs it inside its own transaction (a store move, or one
 * chunk of initialising a site). Returns how many records were queued.
 */
export function queueStoreRecords(sqlite: Database.Database, siteId: number, now: string, selection: StoreRecordSelection): number {
  const where =
    'storeIds' in selection
      ? 'r.store_id in (select value from json_each(:stores))'
      : 'r.store_id in (select id from store where site_id = :siteId) and r.rowid > :after and r.rowid <= :upto';
  const base = sqlite.prepare('select coalesce(max(sequence), 0) from sync_out where site_id = ?').pluck().get(siteId) as number;
  const params =
    'storeIds' in selection
      ? { siteId, base, now, stores: JSON.stringify(selection.storeIds) }
      : { siteId, base, now, after: selection.afterRowid, upto: selection.uptoRowid };
  return sqlite
    .prepare(
      `insert into sync_out (site_id, store_id, table_name, record_id, action, data, sequence, created_at)
       select :siteId, r.store_id, '${STORE_RECORD_TABLE}', r.id, 'insert', ${storeRecordJsonSql('r')},
              :base + row_number() over (order by r.rowid), :now
       from store_record r where ${where}`,
    )
    .run(params).changes;
}
