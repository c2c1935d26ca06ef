/**
 * The Stock page: the store data (stock lines) of the stores active on this site. Permission rule:
 * any logged-in user may add, change and delete stock lines of the stores active on this site,
 * online or offline (a datafile whose first sync was cut short has none yet: isFirstSyncUnderway).
 * On the central server, a user who may edit sync settings may also correct the stock of a store on
 * a remote site; that change is queued for the site.
 *
 * Every edit is recorded for sync in the same transaction as the edit itself:
 * - on a remote site, in remote_out (pushed on the next sync). Earlier unpushed changes of the same
 *   line are dropped: a change carries the whole line, so only the latest matters.
 * - on the central server, in sync_out of the site the store is on, when that is a remote site.
 */
import { randomUUID } from 'node:crypto';
import type { ParsedInputs, StockLine, StockStore } from '../../shared/contract';
import { AppFailure } from '../../shared/errors';
import type { Datafile } from '../../db/datafile';
import { activeSiteId, centralSiteId, firstSyncSiteName, isFirstSyncUnderway } from './datafile-role';
import { STORE_RECORD_TABLE, storeRecordJsonSql } from './store-records';
import { type Actor, canEditSyncSettings } from './actor';

interface StoreRow {
  id: number;
  code: string;
  name: string;
  siteId: number;
}

/** A line's version, and the site where it was made: together they name one state of the line. */
interface LineVersion {
  version: number | null;
  changedBy: number | null;
}

const lineColumns = `id as lineId, store_id as storeId, item_code as itemCode, item_name as itemName, quantity, updated_at as updatedAt`;

export class StockService {
  constructor(private readonly datafile: Datafile) {}

  private get sqlite() {
    return this.datafile.sqlite;
  }

  /** The stores active on this site; none while a first sync cut short has not told it which site it is. */
  listStores(): StockStore[] {
    if (isFirstSyncUnderway(this.sqlite)) return [];
    return this.sqlite
      .prepare(
        `select s.id as storeId, s.code, s.name, (select count(*) from store_record r where r.store_id = s.id) as lineCount
         from store s where s.site_id = ? order by s.name collate nocase, s.id`,
      )
      .all(activeSiteId(this.sqlite)) as StockStore[];
  }

  listLines(input: ParsedInputs['listStockLines']): { store: StockStore; lines: StockLine[] } {
    const store = this.requireStore(input.storeId);
    const lines = this.sqlite
      .prepare(`select ${lineColumns} from store_record where store_id = ? order by item_code collate nocase, id`)
      .all(store.id) as StockLine[];
    return { store: { storeId: store.id, code: store.code, name: store.name, lineCount: lines.length }, lines };
  }

  private requireStore(storeId: number): StoreRow {
    const store = this.sqlite.prepare('select id, code, name, site_id as siteId from store where id = ?').get(storeId) as StoreRow | undefined;
    if (!store) throw new AppFailure('store_not_found', `There is no store with store ID ${storeId}.`);
    return store;
  }

  /** The edit rule: stores active on this site; on the central server, also remote sites' stores for sync administrators. */
  private requireEditable(actor: Actor, store: StoreRow): void {
    const becoming = firstSyncSiteName(this.sqlite);
    if (becoming !== undefined) {
      throw new AppFailure(
        'first_sync_not_finished',
        `This datafile is becoming the remote site "${becoming}", and its first sync has not finished, so no stock can be edited here yet. ` +
          'Sync again: once it has finished, the stores of this site are here to edit.',
      );
    }
    const active = activeSiteId(this.sqlite);
    if (store.siteId === active) return;
    const isCentral = active === centralSiteId(this.sqlite);
    if (isCentral && canEditSyncSettings(actor)) return;
    throw new AppFailure(
      'store_not_on_this_site',
      `The store "${store.name}" is not active on this site, so its stock cannot be edited here. ` +
        'Stock is edited on the site where its store is active.',
    );
  }

  saveLine(actor: Actor, input: ParsedInputs['saveStockLine']): StockLine {
    const line = this.sqlite
      .transaction((): StockLine => {
        const store = this.requireStore(input.storeId);
        this.requireEditable(actor, store);
        let lineId = input.lineId;
        let previous: LineVersion | null = null;
        if (lineId !== null) {
          const existing = this.sqlite
            .prepare('select store_id as storeId, version, changed_by_site_id as changedBy from store_record where id = ?')
            .get(lineId) as ({ storeId: number } & LineVersion) | undefined;
          if (!existing) throw new AppFailure('stock_line_not_found');
          if (existing.storeId !== store.id) this.requireEditable(actor, this.requireStore(existing.storeId));
          previous = { version: existing.version, changedBy: existing.changedBy };
        } else {
          lineId = randomUUID();
        }
        const updatedAt = new Date().toISOString();
        this.sqlite
          .prepare(
            `insert into store_record (id, store_id, item_code, item_name, quantity, updated_at, version, changed_by_site_id)
             values (?, ?, ?, ?, ?, ?, ?, ?)
             on conflict(id) do update set store_id = excluded.store_id, item_code = excluded.item_code,
               item_name = excluded.item_name, quantity = excluded.quantity, updated_at = excluded.updated_at,
               version = excluded.version, changed_by_site_id = excluded.changed_by_site_id`,
          )
          .run(lineId, store.id, input.itemCode, input.itemName, input.quantity, updatedAt, (previous?.version ?? 0) + 1, activeSiteId(this.sqlite));
        this.recordChange(store, lineId, previous === null ? 'insert' : 'update', previous);
        return this.sqlite.prepare(`select ${lineColumns} from store_record where id = ?`).get(lineId) as StockLine;
      })
      .immediate();
    return line;
  }

  deleteLine(actor: Actor, input: ParsedInputs['deleteStockLine']): { lineId: string } {
    this.sqlite
      .transaction(() => {
        const existing = this.sqlite
          .prepare('select store_id as storeId, version, changed_by_site_id as changedBy from store_record where id = ?')
          .get(input.lineId) as ({ storeId: number } & LineVersion) | undefined;
        if (!existing) throw new AppFailure('stock_line_not_found');
        const store = this.requireStore(existing.storeId);
        this.requireEditable(actor, store);
        this.sqlite.prepare('delete from store_record where id = ?').run(input.lineId);
        this.recordChange(store, input.lineId, 'delete', { version: existing.version, changedBy: existing.changedBy });
      })
      .immediate();
    return { lineId: input.lineId };
  }

  /**
   * Records an edit for sync; runs inside the edit's transaction, after the row was written.
   * `base` is the line's version before this edit (null for a new line).
   */
  private recordChange(store: StoreRow, lineId: string, action: 'insert' | 'update' | 'delete', base: LineVersion | null): void {
    const active = activeSiteId(this.sqlite);
    const central = centralSiteId(this.sqlite);
    const data =
      action === 'delete'
        ? null
        : (this.sqlite
            .prepare(`select ${storeRecordJsonSql('r')} from store_record r where r.id = ?`)
            .pluck()
            .get(lineId) as string);
    if (active !== central) {
      // A change carries the whole line, so only the latest change not yet sent matters. It is sent
      // as made from the version the central last knew (the first such change's base), and a line
      // the central has never had stays an insert, or is not sent at all once deleted. A change
      // already sent once stays as it is (its answer may have been lost on the way back): the new
      // one follows it, made from the version it left.
      const first = this.sqlite
        .prepare(
          `select action, base_version as version, base_changed_by as changedBy from remote_out
           where record_id = ? and refused_at is null and sent_at is null order by id limit 1`,
        )
        .get(lineId) as ({ action: string } & LineVersion) | undefined;
      this.sqlite.prepare('delete from remote_out where record_id = ? and refused_at is null and sent_at is null').run(lineId);
      if (first?.action === 'insert') {
        if (action === 'delete') return;
        action = 'insert';
      }
      const from = action === 'insert' ? null : first ? first : base;
      this.sqlite
        .prepare('insert into remote_out (store_id, table_name, record_id, action, data, base_version, base_changed_by) values (?, ?, ?, ?, ?, ?, ?)')
        .run(store.id, STORE_RECORD_TABLE, lineId, action, data, from?.version ?? null, from?.changedBy ?? null);
    } else if (store.siteId !== central) {
      this.sqlite
        .prepare(
          `insert into sync_out (site_id, store_id, table_name, record_id, action, data, sequence)
           values (?, ?, ?, ?, ?, ?, (select coalesce(max(sequence), 0) + 1 from sync_out where site_id = ?))`,
        )
        .run(store.siteId, store.id, STORE_RECORD_TABLE, lineId, action, data, store.siteId);
    }
  }
}
