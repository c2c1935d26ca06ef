/**
 * Reading a streamed store ahead. A site pulls, applies what it got, acknowledges, and pulls again;
 * left alone, the central would sit idle while the site applies, and the site would wait while the
 * central reads. So once an answer that ended inside a store's stream has gone out, the central
 * reads the next lines of that stream, as the site's next pull will ask for them, while the site is
 * still applying.
 *
 * What was read ahead is handed out only when reading then would give exactly the same: the same
 * entry, cursor and number of records, and no stock line written since, on this connection (a TEMP
 * trigger counts writes to store_record; a rolled-back write rolls its count back too) nor on any
 * other (PRAGMA data_version). Otherwise it is dropped and the lines are read afresh. One read-ahead
 * at a time: a central initialises few sites at once, and a read-ahead another site's pull replaced
 * only costs that site the overlap.
 *
 * When the store's lines end before the batch is full, that pull's answer goes on with the next
 * store of the queue (protocol.ts): if the queue's next entry is a store not begun yet, its first
 * lines, as many as the batch has room for after its entry, are read ahead as well.
 */
import type Database from 'better-sqlite3';
import type { storeDataStreamStatements } from '../../services/store-records';

type StreamStatements = ReturnType<typeof storeDataStreamStatements>;
type Lines = ReturnType<StreamStatements['lines']>;

interface Planned {
  siteId: number;
  entryId: number;
  storeId: number;
  after: string;
  limit: number;
}

/** The queue's entry after a streamed entry, if it is another store's stream not begun yet. */
export type NextStoreOf = (siteId: number, entryId: number) => { entryId: number; storeId: number } | null;

type Ready = Planned & { stamp: string; lines: Lines };

export class StreamReadAhead {
  private planned: Planned | null = null;
  /** What was read ahead, all for one site: the planned part of a stream, and maybe the next store's first lines. */
  private ready: Ready[] = [];
  private readonly writes: Database.Statement;
  private readonly dataVersion: Database.Statement;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly stream: StreamStatements,
    private readonly nextStoreOf: NextStoreOf = () => null,
  ) {
    sqlite.exec(`
      create temp table if not exists store_record_writes (n integer not null);
      insert into store_record_writes (n) select 0 where not exists (select 1 from store_record_writes);
      create temp trigger if not exists store_record_written_by_insert after insert on main.store_record
        begin update store_record_writes set n = n + 1; end;
      create temp trigger if not exists store_record_written_by_update after update on main.store_record
        begin update store_record_writes set n = n + 1; end;
      create temp trigger if not exists store_record_written_by_delete after delete on main.store_record
        begin update store_record_writes set n = n + 1; end;`);
    this.writes = sqlite.prepare('select n from temp.store_record_writes').pluck();
    this.dataVersion = sqlite.prepare('pragma data_version').pluck();
  }

  private stamp(): string {
    return `${this.dataVersion.get() as number}:${this.writes.get() as number}`;
  }

  /** An answer ended inside a stream: the site's next pull will most likely want these lines. */
  plan(planned: Planned): void {
    this.planned = planned;
  }

  /** Reads what was planned for the site (once its answer has gone out). */
  readAhead(siteId: number): void {
    const planned = this.planned;
    if (!planned || planned.siteId !== siteId || !this.sqlite.open) return;
    this.planned = null;
    this.ready = this.sqlite.transaction(() => {
      const stamp = this.stamp();
      const lines = this.stream.lines(planned.entryId, planned.storeId, planned.after, planned.limit);
      const ready: Ready[] = [{ ...planned, stamp, lines }];
      // Room left after this store's lines and the next store's entry record.
      const room = planned.limit - lines.count - 1;
      const next = room > 0 ? this.nextStoreOf(planned.siteId, planned.entryId) : null;
      if (next) {
        const first = { siteId: planned.siteId, entryId: next.entryId, storeId: next.storeId, after: '', limit: room };
        ready.push({ ...first, stamp, lines: this.stream.lines(first.entryId, first.storeId, '', room) });
      }
      return ready;
    })();
  }

  /** The lines read ahead, if they are exactly what reading them now would give; each read-ahead is taken once. */
  take(siteId: number, entryId: number, after: string, limit: number): Lines | null {
    if (this.ready[0]?.siteId !== siteId) return null;
    const index = this.ready.findIndex((ready) => ready.entryId === entryId && ready.after === after && ready.limit === limit);
    // Asked for something else: the site's pulls went another way, and nothing read ahead for it holds.
    const [ready] = index === -1 ? [] : this.ready.splice(index, 1);
    if (!ready) this.ready = [];
    return ready && ready.stamp === this.stamp() ? ready.lines : null;
  }
}
