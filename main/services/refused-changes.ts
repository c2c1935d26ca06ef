/**
 * Changes this remote site made that the central server refused: their store is no longer on this
 * site, the line changed elsewhere since (a conflict), or the line broke the Stock page's rules.
 * They are kept, not dropped, so an administrator can look at them and decide: send them again
 * (to overwrite), or discard them. The site already shows the central's line: the central sends
 * it back with every refusal.
 */
import { EventEmitter } from 'node:events';
import type { Datafile } from '../../db/datafile';
import type { RefusedChange } from '../../shared/contract';
import { type Actor, requireEditSyncSettings } from './actor';
import { activeSiteId } from './datafile-role';
import { type StoreRecordData, storeRecordStatements } from './store-records';

const LIST_LIMIT = 1000;

export interface RefusedChangesEvents {
  /** Refused changes went back in the queue: worth a sync soon. */
  requeued: [];
}

interface RefusedRow {
  id: number;
  storeId: number;
  tableName: string;
  recordId: string;
  action: string;
  data: string | null;
  baseVersion: number | null;
  baseChangedBy: number | null;
}

export class RefusedChanges {
  readonly events = new EventEmitter<RefusedChangesEvents>();

  private readonly records: ReturnType<typeof storeRecordStatements>;

  constructor(private readonly datafile: Datafile) {
    this.records = storeRecordStatements(datafile.sqlite);
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  list(): { rows: RefusedChange[]; total: number } {
    const rows = this.sqlite
      .prepare(
        `select o.id, o.store_id as storeId, coalesce(s.name, 'store ' || o.store_id) as storeName, o.record_id as recordId,
                o.action, json_extract(o.data, '$.itemCode') as itemCode, json_extract(o.data, '$.itemName') as itemName,
                o.refused_at as refusedAt, coalesce(o.refused_message, '') as refusedMessage
         from remote_out o left join store s on s.id = o.store_id
         where o.refused_at is not null order by o.id limit ?`,
      )
      .all(LIST_LIMIT) as RefusedChange[];
    const total = this.sqlite.prepare('select count(*) from remote_out where refused_at is not null').pluck().get() as number;
    return { rows: rows.map((r) => ({ ...r })), total };
  }

  /**
   * Sends the changes again at the next sync, as an administrator's decision to overwrite: each is
   * made again from the line as this site has it now (so the central takes it over whatever it
   * holds, unless the line changes yet again meanwhile) and shown here at once. They go back in the
   * queue with new IDs: the central remembers the IDs it has already had from this site. A change
   * whose line has a newer change waiting to be sent is left here: that newer change wins.
   * A change of a store that is not on this site now is sent again as it was made (its action and
   * the version it was made from): the site holds nothing of the store, so it cannot overwrite
   * knowingly, and a line deleted or changed on the central since is a conflict again, not a new line.
   */
  retry(actor: Actor, ids: number[]): { count: number } {
    requireEditSyncSettings(actor);
    const result = this.sqlite
      .transaction(() => {
        const rows = this.sqlite
          .prepare(
            `select id, store_id as storeId, table_name as tableName, record_id as recordId, action, data,
                    base_version as baseVersion, base_changed_by as baseChangedBy
             from remote_out where refused_at is not null and id in (select value from json_each(?)) order by id`,
          )
          .all(JSON.stringify(ids)) as RefusedRow[];
        const waiting = this.sqlite.prepare('select 1 from remote_out where record_id = ? and refused_at is null').pluck();
        const localLine = this.sqlite.prepare('select version, changed_by_site_id as changedBy from store_record where id = ?');
        const storeHere = this.sqlite.prepare('select 1 from store where id = ? and site_id = ?').pluck();
        const requeue = this.sqlite.prepare(
          'insert into remote_out (store_id, table_name, record_id, action, data, base_version, base_changed_by) values (?, ?, ?, ?, ?, ?, ?)',
        );
        const forget = this.sqlite.prepare('delete from remote_out where id = ?');
        const here = activeSiteId(this.sqlite);
        let count = 0;
        for (const row of rows) {
          if (waiting.get(row.recordId)) continue;
          const local = localLine.get(row.recordId) as { version: number; changedBy: number | null } | undefined;
          const applyHere = storeHere.get(row.storeId, here) === 1;
          if (!applyHere) {
            requeue.run(row.storeId, row.tableName, row.recordId, row.action, row.data, row.baseVersion, row.baseChangedBy);
          } else if (row.action === 'delete' || row.data === null) {
            this.records.remove(row.recordId);
            requeue.run(row.storeId, row.tableName, row.recordId, 'delete', null, local?.version ?? null, local?.changedBy ?? null);
          } else {
            const line: StoreRecordData = { ...(JSON.parse(row.data) as StoreRecordData), version: (local?.version ?? 0) + 1, changedBySiteId: here };
            this.records.upsert(line);
            requeue.run(
              row.storeId,
              row.tableName,
              row.recordId,
              local === undefined ? 'insert' : 'update',
              JSON.stringify(line),
              local?.version ?? null,
              local?.changedBy ?? null,
            );
          }
          forget.run(row.id);
          count += 1;
        }
        return { count };
      })
      .immediate();
    if (result.count > 0) this.events.emit('requeued');
    return result;
  }

  discard(actor: Actor, ids: number[]): { count: number } {
    requireEditSyncSettings(actor);
    const count = this.sqlite
      .prepare('delete from remote_out where refused_at is not null and id in (select value from json_each(?))')
      .run(JSON.stringify(ids)).changes;
    return { count };
  }
}
