/**
 * Changes this remote site made that the central server refused (their store is no longer on this
 * site). They are kept, not dropped, so an administrator can look at them and decide: send them
 * again (once the store is back on this site) or discard them.
 */
import { EventEmitter } from 'node:events';
import type { Datafile } from '../../db/datafile';
import type { RefusedChange } from '../../shared/contract';
import { type Actor, requireEditSyncSettings } from './actor';

const LIST_LIMIT = 1000;

export interface RefusedChangesEvents {
  /** Refused changes went back in the queue: worth a sync soon. */
  requeued: [];
}

export class RefusedChanges {
  readonly events = new EventEmitter<RefusedChangesEvents>();

  constructor(private readonly datafile: Datafile) {}

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
   * Sends the changes again at the next sync. They go back in the queue with new IDs: the central
   * remembers the highest ID it has integrated from this site and would take the old ones for
   * copies it has already seen.
   */
  retry(actor: Actor, ids: number[]): { count: number } {
    requireEditSyncSettings(actor);
    const result = this.sqlite
      .transaction(() => {
        const selected = JSON.stringify(ids);
        const count = this.sqlite
          .prepare(
            `insert into remote_out (store_id, table_name, record_id, action, data)
             select store_id, table_name, record_id, action, data from remote_out
             where refused_at is not null and id in (select value from json_each(?)) order by id`,
          )
          .run(selected).changes;
        this.sqlite.prepare('delete from remote_out where refused_at is not null and id in (select value from json_each(?))').run(selected);
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
