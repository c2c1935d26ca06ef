/**
 * Store data (stock lines) as it travels: the same JSON shape on both ends, and one way to apply a
 * received record. Applying is idempotent, which is what at-least-once delivery needs: an upsert of
 * the same data twice changes nothing, and deleting a row that is already gone is a no-op.
 */
import type Database from 'better-sqlite3';
import type { StoreRecordData } from './protocol';

/** A stock line as stored: the same fields as on the wire. */
export type StoreRecordRow = StoreRecordData;

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
