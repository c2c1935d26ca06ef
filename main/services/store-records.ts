/**
 * Store data (stock lines) as this datafile keeps it and as it travels: the table names and JSON
 * shape both ends of sync use, the rules a line must meet, one way to apply a received line, and
 * the queue entries that send a whole store to a site.
 *
 * Raw SQL (not drizzle): these statements run per record in sync's hot paths, and the JSON of a
 * record is built inside SQLite so a batch of thousands costs no per-record JavaScript objects.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { limits, stockLineFields } from '../../shared/contract';

/** The store-data table that travels: one record per stock line. */
export const STORE_RECORD_TABLE = 'store_record';

/**
 * "Here is the whole of this store's data": queued for a site as one entry when a store moves to
 * it (or the site initialises), and expanded into the store's lines when it is handed out, so the
 * site gets the store as it is then. On arrival the site drops whatever it still held of the store
 * (lines nobody sent it any more must not come back), then takes the lines that follow.
 */
export const STORE_DATA_TABLE = 'store_data';

/** A stock line: the same fields in the datafile (snake_case columns) and on the wire (JSON). */
export interface StoreRecordData {
  id: string;
  storeId: number;
  itemCode: string;
  itemName: string;
  quantity: number;
  updatedAt: string;
  /** Bumped by every change: a change made from an older version than the central's is a conflict. */
  version: number;
  /** The site where that version was made (null: not known, e.g. seeded data). */
  changedBySiteId: number | null;
}

/** SQL building a stock line's wire JSON from the row aliased `alias`. */
export const storeRecordJsonSql = (alias: string) =>
  `json_object('id', ${alias}.id, 'storeId', ${alias}.store_id, 'itemCode', ${alias}.item_code, 'itemName', ${alias}.item_name,
               'quantity', ${alias}.quantity, 'updatedAt', ${alias}.updated_at, 'version', ${alias}.version,
               'changedBySiteId', ${alias}.changed_by_site_id)`;

const storeRecordSchema = z.object({
  id: z.string(),
  storeId: z.int().positive(),
  ...stockLineFields,
  updatedAt: z.string().max(40),
  version: z.int().positive().default(1),
  changedBySiteId: z.int().positive().nullable().default(null),
});

export type ReadRecord = { ok: true; data: StoreRecordData } | { ok: false; message: string };

/** A text field as the Stock page takes it: not empty, within its limit, no surrounding spaces. */
function plainText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && value.trim() === value;
}

/**
 * The common case, checked without zod (sync applies tens of thousands of lines a second): a line
 * that passes here also passes the schema. Anything else goes through the schema, which decides
 * and says why.
 */
function plainValidLine(recordId: string, raw: unknown): StoreRecordData | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.id !== recordId || typeof r.storeId !== 'number' || !Number.isInteger(r.storeId) || r.storeId <= 0) return null;
  if (!plainText(r.itemCode, limits.itemCode) || !plainText(r.itemName, limits.itemName)) return null;
  if (typeof r.quantity !== 'number' || !Number.isFinite(r.quantity) || r.quantity < 0 || r.quantity > limits.quantity) return null;
  if (typeof r.updatedAt !== 'string' || r.updatedAt.length > 40) return null;
  if (typeof r.version !== 'number' || !Number.isInteger(r.version) || r.version <= 0) return null;
  const by = r.changedBySiteId;
  if (by !== null && (typeof by !== 'number' || !Number.isInteger(by) || by <= 0)) return null;
  return {
    id: recordId,
    storeId: r.storeId,
    itemCode: r.itemCode,
    itemName: r.itemName,
    quantity: r.quantity,
    updatedAt: r.updatedAt,
    version: r.version,
    changedBySiteId: by,
  };
}

/** Reads a received line with the Stock page's rules; the message says what is wrong, in words. */
export function readStoreRecordData(recordId: string, raw: unknown): ReadRecord {
  const plain = plainValidLine(recordId, raw);
  if (plain) return { ok: true, data: plain };
  const parsed = storeRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    return { ok: false, message: `Stock line ${recordId} was refused: ${field ? `${field}: ` : ''}${issue?.message ?? 'it could not be read'}` };
  }
  if (parsed.data.id !== recordId) return { ok: false, message: `Stock line ${recordId} was refused: its data is of another line.` };
  return { ok: true, data: parsed.data };
}

/** The upsert of `lines` received lines, in order (its WHERE: see storeRecordStatements). */
const upsertSql = (lines: number) =>
  `insert into store_record (id, store_id, item_code, item_name, quantity, updated_at, version, changed_by_site_id)
     values ${Array<string>(lines).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
     on conflict(id) do update set item_code = excluded.item_code, item_name = excluded.item_name, quantity = excluded.quantity,
       updated_at = excluded.updated_at, version = excluded.version, changed_by_site_id = excluded.changed_by_site_id
     where store_record.store_id = excluded.store_id`;

/** Lines per statement in upsertMany (of 10, 50 and 100, 50 wrote 100,000 lines fastest). */
const UPSERT_CHUNK = 50;

/** Prepared statements that apply received store data; prepare once per datafile. */
export function storeRecordStatements(sqlite: Database.Database) {
  // Positional parameters: binding them costs less than named ones, and sync applies every line through here.
  // The store is not in the update's SET list: naming a key column there rewrites the line (the
  // store is the first part of the table's key) even when the value stays; with the store index
  // before migration 0013, 1,000 updated lines wrote nearly twice the pages and took three times as
  // long. A line held in another store is left alone by the upsert
  // (its WHERE), which then changes nothing, and is moved and written by a second statement. (Not
  // RETURNING store_id: that made every write of 100,000 received lines take a third longer.)
  const upsert = sqlite.prepare(upsertSql(1));
  const moveLine = sqlite.prepare(
    `update store_record set store_id = ?, item_code = ?, item_name = ?, quantity = ?, updated_at = ?, version = ?, changed_by_site_id = ?
     where id = ?`,
  );
  // Many lines in one statement: a batch of received lines is written in a quarter less time than
  // line by line (the statement's per-run cost, and the crossing from JavaScript, are paid once per chunk).
  let upsertChunk: Database.Statement | null = null;
  const remove = sqlite.prepare('delete from store_record where id = ?');
  const current = sqlite.prepare('select store_id as storeId, version, changed_by_site_id as changedBySiteId from store_record where id = ?');
  /** Writes a line as received, with the site its version was made at. */
  const upsertOne = (data: StoreRecordData): void => {
    const { changes } = upsert.run(
      data.id,
      data.storeId,
      data.itemCode,
      data.itemName,
      data.quantity,
      data.updatedAt,
      data.version,
      data.changedBySiteId,
    );
    if (changes === 0) {
      moveLine.run(data.storeId, data.itemCode, data.itemName, data.quantity, data.updatedAt, data.version, data.changedBySiteId, data.id);
    }
  };
  return {
    upsert: upsertOne,
    /**
     * Writes lines as received, in order: the same as `upsert` of each in turn. A chunk where some
     * line was not written (it is held in another store, so the upsert's WHERE left it) is written
     * again line by line, which moves that line; writing a line twice leaves it as written once.
     */
    upsertMany: (lines: readonly StoreRecordData[]): void => {
      let at = 0;
      if (lines.length >= UPSERT_CHUNK) {
        upsertChunk ??= sqlite.prepare(upsertSql(UPSERT_CHUNK));
        const values: unknown[] = new Array(UPSERT_CHUNK * 8);
        for (; at + UPSERT_CHUNK <= lines.length; at += UPSERT_CHUNK) {
          for (let i = 0; i < UPSERT_CHUNK; i += 1) {
            const line = lines[at + i]!;
            const v = i * 8;
            values[v] = line.id;
            values[v + 1] = line.storeId;
            values[v + 2] = line.itemCode;
            values[v + 3] = line.itemName;
            values[v + 4] = line.quantity;
            values[v + 5] = line.updatedAt;
            values[v + 6] = line.version;
            values[v + 7] = line.changedBySiteId;
          }
          if (upsertChunk.run(values).changes < UPSERT_CHUNK) for (let i = at; i < at + UPSERT_CHUNK; i += 1) upsertOne(lines[i]!);
        }
      }
      for (; at < lines.length; at += 1) upsertOne(lines[at]!);
    },
    remove: (recordId: string) => remove.run(recordId),
    /** The line's store, version and last changing site now, or undefined when there is no such line. */
    current: (recordId: string) => current.get(recordId) as { storeId: number; version: number; changedBySiteId: number | null } | undefined,
  };
}

/** Queues "send this store's data" for a site, unless it is already waiting there unsent. */
export function queueStoreData(sqlite: Database.Database, siteId: number, storeIds: readonly number[], now: string): void {
  const insert = sqlite.prepare(
    `insert into sync_out (site_id, store_id, table_name, record_id, action, data, sequence, created_at)
     select :siteId, :storeId, '${STORE_DATA_TABLE}', :recordId, 'insert', null,
            (select coalesce(max(sequence), 0) + 1 from sync_out where site_id = :siteId), :now
     where not exists (select 1 from sync_out where site_id = :siteId and store_id = :storeId
                       and table_name = '${STORE_DATA_TABLE}' and data is null)`,
  );
  for (const storeId of storeIds) insert.run({ siteId, storeId, recordId: String(storeId), now });
}

/**
 * A store left a site: none of its data queued there is to be delivered any more. (Refusals
 * answered back to the site stay: they are the site's own changes, which it must get back.)
 */
export function cancelQueuedStoreData(sqlite: Database.Database, siteId: number, storeIds: readonly number[]): number {
  return sqlite
    .prepare(
      `delete from sync_out where site_id = ? and store_id in (select value from json_each(?))
         and table_name in ('${STORE_DATA_TABLE}', '${STORE_RECORD_TABLE}')`,
    )
    .run(siteId, JSON.stringify(storeIds)).changes;
}

/**
 * The store-data entries of a site's queue are streamed, not copied: when one reaches the head of
 * the queue it is handed out as the entry itself (only until the site acknowledged it once: "drop
 * what you hold of this store") followed by the store's lines in id order from where the site's
 * last acknowledgement left off, every line carrying the entry's syncOutId and read as it is at
 * that moment. Id order, the order of the table's key (store, then id: db/schema.ts): the central
 * reads the next lines in one stretch of the table, and the site writes each batch into one stretch
 * of its own instead of all over it, which makes initialising a site faster.
 * `stream_handed_id` remembers how far the latest answer went; acknowledging the entry moves
 * `stream_after_id` to the last line the site says it applied (never beyond what was handed out),
 * or there when it does not say, and removes the entry once no line remains after it. A line changed or added meanwhile is
 * queued for the site on its own as well (stock-service), so a line read before the change, or
 * added behind the stream's position, still reaches the site.
 */
export function storeDataStreamStatements(sqlite: Database.Database) {
  // The same wire JSON as storeRecordJsonSql builds, written with one format() per line: a store's
  // lines go out by the ten thousand, and this costs SQLite a third of json_object's time (every
  // text value still goes through json_quote). group_concat takes the lines in the order the
  // subquery yields them (its ORDER BY ... LIMIT keeps it a separate, ordered step); an ORDER BY
  // inside group_concat would sort them once more, two fifths of the statement's time. The order is
  // asserted by tests/sync/store-data-stream.test.ts, and nothing depends on it for correctness:
  // `upTo` is the greatest ID whatever the order, and a site acknowledges the last line it got,
  // so lines out of order would only be sent again.
  const lines = sqlite.prepare(
    `select count(*) as count, max(lid) as upTo, '[' || coalesce(group_concat(rec, ','), '') || ']' as json from
       (select r.id as lid,
               format('{"syncOutId":%d,"tableName":"${STORE_RECORD_TABLE}","recordId":%s,"action":"insert","recordData":' ||
                      '{"id":%s,"storeId":%d,"itemCode":%s,"itemName":%s,"quantity":%s,"updatedAt":%s,"version":%d,"changedBySiteId":%s}}',
                      :entryId, json_quote(r.id), json_quote(r.id), r.store_id, json_quote(r.item_code), json_quote(r.item_name),
                      json_quote(r.quantity), json_quote(r.updated_at), r.version, json_quote(r.changed_by_site_id)) as rec
        from store_record r where r.store_id = :storeId and r.id > :after order by r.id limit :limit)`,
  );
  const handed = sqlite.prepare('update sync_out set stream_handed_id = ? where id = ?');
  const remove = sqlite.prepare('delete from sync_out where id = ?');
  return {
    /** Up to `limit` lines of the store after line id `after` ('' for the first), as wire records of the entry. */
    lines: (entryId: number, storeId: number, after: string, limit: number) =>
      lines.get({ entryId, storeId, after, limit }) as { count: number; upTo: string | null; json: string },
    /** The latest answer handed out the entry's lines up to `upTo`. */
    handed: (entryId: number, upTo: string) => handed.run(upTo, entryId),
    remove: (entryId: number) => remove.run(entryId),
  };
}

/** SQL: is sync_out row `alias` a streamed "send this store's data" entry? */
export const streamedEntrySql = (alias: string) => `(${alias}.table_name = '${STORE_DATA_TABLE}' and ${alias}.data is null)`;

/**
 * Records queued for sites, as (site_id, n) rows: queued rows count one each, except a streamed
 * "send this store's data" entry, which counts the store's lines not yet acknowledged (and itself
 * until acknowledged once), as the site's next pulls will (store-sync.ts). `where` narrows the sync_out rows `o`.
 */
export const queuedCountSql = (where: string) => `
  select o.site_id, count(*) as n from sync_out o ${where ? `${where} and` : 'where'} not (${streamedEntrySql('o')} and o.stream_after_id is not null)
  group by o.site_id
  union all
  select o.site_id, (select count(*) from store_record r where r.store_id = o.store_id and r.id > coalesce(o.stream_after_id, '')) as n
  from sync_out o ${where ? `${where} and` : 'where'} ${streamedEntrySql('o')}`;
