/**
 * The central's side of the data routes: a site's queue (initialise, handing out, forgetting),
 * pushed records (buffering, integrating, refusing) and the central change log read by cursor.
 * Answers are built as JSON text inside SQLite, so a batch of thousands of records costs no
 * per-record JavaScript objects.
 *
 * Who owns what (README, "Who owns what"): a store's data belongs to the site the store is on. A
 * pushed change is taken only when its store is on the pushing site, its line is valid by the
 * Stock page's rules, and the line has not changed since the version the change was made from.
 * Anything else is refused and always answered back to the site: in the push answer, or (when the
 * refusal comes at integration, after the push was answered) as a refused_change record in the
 * site's queue; either way with the central's current line queued too, so the site shows it.
 * Nothing stays in a table no screen shows.
 *
 * Integration runs in the background in chunks (one transaction each), so the server keeps
 * answering (site_status says what it is doing), and a crash loses at most one chunk's work, which
 * the next run redoes from the buffer, skipping what the site's high-water mark says is done.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Datafile } from '../../../db/datafile';
import {
  DEFAULT_PULL_BATCH,
  type PushAnswer,
  type PushBody,
  type QueuedRecord,
  REFUSED_CHANGE_TABLE,
  type RefusedChangeData,
  type RefusedRecord,
  SyncApiError,
} from '../protocol';
import type { BackgroundWork, SiteRunLeases } from './site-run-leases';
import { StreamReadAhead } from './stream-read-ahead';
import {
  queueStoreData,
  readStoreRecordData,
  STORE_DATA_TABLE,
  STORE_RECORD_TABLE,
  storeRecordJsonSql,
  storeDataStreamStatements,
  storeRecordStatements,
  streamedEntrySql,
  queuedCountSql,
} from '../../services/store-records';

interface QueueHeadRow {
  id: number;
  storeId: number;
  sequence: number;
  recordId: string;
  streamed: number;
  streamAfter: string | null;
}

export interface CentralStoreSyncOptions {
  /** Pushed records integrated per transaction. */
  integrateChunk?: number;
  /** Where failures of background work are reported. */
  logError?: (message: string, error: unknown) => void;
}

/** How far back fingerprints of integrated records are kept: more than the largest push batch. */
const SEEN_WINDOW = 20_000;

const recordJsonSql = `case when data is null
  then json_object('syncOutId', id, 'tableName', table_name, 'recordId', record_id, 'action', action)
  else json_object('syncOutId', id, 'tableName', table_name, 'recordId', record_id, 'action', action, 'recordData', json(data)) end`;

const centralJsonSql = `case when data is null
  then json_object('ID', id, 'tableName', table_name, 'recordId', record_id, 'action', action)
  else json_object('ID', id, 'tableName', table_name, 'recordId', record_id, 'action', action, 'recordData', json(data)) end`;

/** A pushed record as it is checked: from the push body, or from the buffer. */
interface Pushed {
  syncOutId: number;
  tableName: string;
  recordId: string;
  action: string;
  recordData: unknown;
  baseVersion: number | null | undefined;
  baseChangedBy: number | null | undefined;
}

type Problem = Omit<RefusedRecord, 'syncOutId'>;

/** The same record always has the same fingerprint, so a re-send is told from a different record with the same number. */
function fingerprint(record: Pushed): string {
  const text = JSON.stringify([
    record.tableName,
    record.recordId,
    record.action,
    record.recordData ?? null,
    record.baseVersion ?? null,
    record.baseChangedBy ?? null,
  ]);
  return createHash('sha256').update(text).digest('base64url');
}

function prepare(sqlite: Database.Database) {
  return {
    // Records still to hand out: queued rows, and for a streamed store its entry (until acknowledged once) and the lines not acknowledged.
    queueLength: sqlite.prepare(`select coalesce(sum(n), 0) from (${queuedCountSql('where o.site_id = :siteId')})`).pluck(),
    queueHead: sqlite.prepare(
      `select id, store_id as storeId, sequence, record_id as recordId, ${streamedEntrySql('sync_out')} as streamed, stream_after_id as streamAfter
       from sync_out where site_id = :siteId and (sequence, id) > (:sequence, :id) order by sequence, id limit :limit`,
    ),
    queuedBatch: sqlite
      .prepare(
        `select coalesce(json_group_array(json(rec)), '[]') from
           (select ${recordJsonSql} as rec from sync_out where site_id = :siteId and (sequence, id) > (:sequence, :id)
            order by sequence, id limit :limit)`,
      )
      .pluck(),
    // By primary key: `+site_id` keeps SQLite from scanning the site's whole queue for each acknowledgement.
    // A streamed entry moves to where the latest answer ended, or (next statement) to the last line
    // the site says it applied, never beyond the latest answer and never back.
    acknowledgeStreams: sqlite.prepare(
      `update sync_out set stream_after_id = max(coalesce(stream_after_id, ''), stream_handed_id)
       where id in (select value from json_each(:ids)) and id not in (select value from json_each(:positioned)) and +site_id = :siteId
         and ${streamedEntrySql('sync_out')} and stream_handed_id is not null`,
    ),
    acknowledgeStreamTo: sqlite.prepare(
      `update sync_out set stream_after_id = max(coalesce(stream_after_id, ''), min(:upTo, stream_handed_id))
       where id = :id and +site_id = :siteId and ${streamedEntrySql('sync_out')} and stream_handed_id is not null`,
    ),
    acknowledge: sqlite.prepare(
      `delete from sync_out where id in (select value from json_each(:ids)) and +site_id = :siteId
         and (not ${streamedEntrySql('sync_out')}
              or stream_after_id is not null
                 and not exists (select 1 from store_record r where r.store_id = sync_out.store_id and r.id > sync_out.stream_after_id))`,
    ),
    // A site's streamed entry (its store and place in the queue), when line `after` lies between what the site acknowledged and what it was handed.
    entrySequence: sqlite.prepare('select sequence from sync_out where id = ? and site_id = ?').pluck(),
    streamedEntryAt: sqlite.prepare(
      `select store_id as storeId, sequence from sync_out where id = :entryId and site_id = :siteId and ${streamedEntrySql('sync_out')}
         and :after <= stream_handed_id and :after >= coalesce(stream_after_id, '')`,
    ),
    centralBatch: sqlite
      .prepare(
        `select coalesce(json_group_array(json(rec)), '[]') from
           (select ${centralJsonSql} as rec from central_change where id > ? order by id limit ?)`,
      )
      .pluck(),
    maxCursor: sqlite.prepare('select coalesce(max(id), 0) from central_change').pluck(),
    storeOfSite: sqlite.prepare('select site_id as siteId, name from store where id = ?'),
    siteName: sqlite.prepare('select name from site where id = ?').pluck(),
    pushState: sqlite.prepare('select integrated_up_to as upTo, instance_id as instanceId from site_push_state where site_id = ?'),
    setIntegratedUpTo: sqlite.prepare(
      `insert into site_push_state (site_id, integrated_up_to) values (?, ?)
       on conflict(site_id) do update set integrated_up_to = max(integrated_up_to, excluded.integrated_up_to)`,
    ),
    restartPushState: sqlite.prepare(
      `insert into site_push_state (site_id, integrated_up_to, instance_id) values (?, 0, ?)
       on conflict(site_id) do update set integrated_up_to = 0, instance_id = excluded.instance_id`,
    ),
    seen: sqlite.prepare('select fingerprint, refusal from site_push_seen where site_id = ? and sync_out_id = ?'),
    remember: sqlite.prepare('insert or replace into site_push_seen (site_id, sync_out_id, fingerprint, refusal) values (?, ?, ?, ?)'),
    forgetOldSeen: sqlite.prepare('delete from site_push_seen where site_id = ? and sync_out_id <= ?'),
    forgetAllSeen: sqlite.prepare('delete from site_push_seen where site_id = ?'),
    buffer: sqlite.prepare(`insert or ignore into sync_in (site_id, sync_out_id, table_name, record_id, action, data) values (?, ?, ?, ?, ?, ?)`),
    buffered: sqlite.prepare(
      `select sync_out_id as syncOutId, table_name as tableName, record_id as recordId, action, data from sync_in
       where site_id = ? order by sync_out_id limit ?`,
    ),
    unbuffer: sqlite.prepare('delete from sync_in where site_id = ? and sync_out_id = ?'),
    dropQueuedCopies: sqlite.prepare('delete from sync_out where site_id = ? and record_id = ? and table_name = ?'),
    initialisationStatus: sqlite.prepare('select initialisation_status from site where id = ?').pluck(),
    setInitialisationStatus: sqlite.prepare('update site set initialisation_status = ? where id = ?'),
    clearQueue: sqlite.prepare('delete from sync_out where site_id = ?'),
    storesOfSite: sqlite.prepare('select id from store where site_id = ? order by id').pluck(),
    siteRecordCount: sqlite.prepare('select count(*) from store_record r join store s on s.id = r.store_id where s.site_id = ?').pluck(),
    enqueue: sqlite.prepare(
      `insert into sync_out (site_id, store_id, table_name, record_id, action, data, sequence)
       values (:siteId, :storeId, :tableName, :recordId, :action, :data,
               (select coalesce(max(sequence), 0) + 1 from sync_out where site_id = :siteId))`,
    ),
    lineJson: sqlite.prepare(`select ${storeRecordJsonSql('r')} from store_record r where r.id = ?`).pluck(),
    markSynced: sqlite.prepare('update site set last_synced_at = ? where id = ?'),
  };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class CentralStoreSync {
  private readonly statements: ReturnType<typeof prepare>;
  private readonly records: ReturnType<typeof storeRecordStatements>;
  private readonly stream: ReturnType<typeof storeDataStreamStatements>;
  private readonly readAheads: StreamReadAhead;
  /** Batches served from what was read ahead (the bench prints it). */
  readAheadsUsed = 0;
  private readonly running = new Set<Promise<void>>();
  private closing = false;
  private readonly integrateChunk: number;

  constructor(
    private readonly datafile: Datafile,
    readonly leases: SiteRunLeases,
    private readonly options: CentralStoreSyncOptions = {},
  ) {
    this.statements = prepare(datafile.sqlite);
    this.records = storeRecordStatements(datafile.sqlite);
    this.stream = storeDataStreamStatements(datafile.sqlite);
    this.readAheads = new StreamReadAhead(datafile.sqlite, this.stream, (siteId, entryId) => this.nextStoreOf(siteId, entryId));
    this.integrateChunk = options.integrateChunk ?? 2000;
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  // ---- pull ----------------------------------------------------------------------------------

  /**
   * JSON text of `{queueLength, centralCursor, data}`: the oldest `limit` records of the site's
   * queue, and the newest central change when they were read (the site applies the central
   * changes up to it before these records: queued-records.ts). A "send
   * this store's data" entry among them is streamed: its lines are read from store_record as they
   * are now, from where the site's last acknowledgement left off (storeDataStreamStatements).
   */
  queuedRecordsJson(siteId: number, limit: number): { json: string; empty: boolean } {
    const { queueLength, data, centralCursor } = this.sqlite
      .transaction(() => {
        const length = this.statements.queueLength.get({ siteId }) as number;
        return {
          queueLength: length,
          data: length === 0 ? '' : this.handOut(siteId, limit),
          centralCursor: this.statements.maxCursor.get() as number,
        };
      })
      .immediate();
    if (queueLength === 0) this.statements.markSynced.run(new Date().toISOString(), siteId);
    return { json: `{"queueLength":${queueLength},"centralCursor":${centralCursor},"data":[${data}]}`, empty: queueLength === 0 };
  }

  /**
   * The records of the next batch, as the inside of a JSON array: up to `room` of them, from the
   * queue's entries after `from` (the head of the queue by default); runs in the caller's transaction.
   * `limit` is the batch size the site asks for, which a read-ahead reads.
   */
  private handOut(siteId: number, limit: number, room = limit, from = { sequence: 0, id: 0 }): string {
    const parts: string[] = [];
    const add = (array: string) => {
      if (array.length > 2) parts.push(array.slice(1, -1));
    };
    while (room > 0) {
      const head = this.statements.queueHead.all({ siteId, ...from, limit: room }) as QueueHeadRow[];
      if (head.length === 0) break;
      const at = head.findIndex((row) => row.streamed === 1);
      const plain = at === -1 ? head.length : at;
      if (plain > 0) {
        add(this.statements.queuedBatch.get({ siteId, ...from, limit: plain }) as string);
        room -= plain;
      }
      const entry = head[at];
      if (!entry) break;
      from = { sequence: entry.sequence, id: entry.id };
      if (entry.streamAfter === null) {
        parts.push(JSON.stringify({ syncOutId: entry.id, tableName: STORE_DATA_TABLE, recordId: entry.recordId, action: 'insert' }));
        room -= 1;
      }
      const after = entry.streamAfter ?? '';
      const lines =
        room > 0
          ? (this.takeReadAhead(siteId, entry.id, after, room) ?? this.stream.lines(entry.id, entry.storeId, after, room))
          : { count: 0, upTo: null, json: '[]' };
      if (entry.streamAfter !== null && lines.count === 0) {
        // Every line was acknowledged and none came since: the store has arrived.
        this.stream.remove(entry.id);
        continue;
      }
      this.stream.handed(entry.id, lines.upTo ?? after);
      add(lines.json);
      room -= lines.count;
      if (room === 0 && lines.upTo !== null) this.readAheads.plan({ siteId, entryId: entry.id, storeId: entry.storeId, after: lines.upTo, limit });
    }
    return parts.join(',');
  }

  /**
   * Once an answer that ended inside a store's stream has gone out, reads the stream's next lines
   * while the site applies that answer (stream-read-ahead.ts); the site's next pull gets them if
   * nothing changed meanwhile.
   */
  private takeReadAhead(siteId: number, entryId: number, after: string, limit: number) {
    const lines = this.readAheads.take(siteId, entryId, after, limit);
    if (lines) this.readAheadsUsed += 1;
    return lines;
  }

  /** The queue's entry after streamed entry `entryId`, when it is another store's stream not begun yet. */
  private nextStoreOf(siteId: number, entryId: number): { entryId: number; storeId: number } | null {
    const sequence = this.statements.entrySequence.get(entryId, siteId) as number | undefined;
    if (sequence === undefined) return null;
    const [next] = this.statements.queueHead.all({ siteId, sequence, id: entryId, limit: 1 }) as QueueHeadRow[];
    return next?.streamed === 1 && next.streamAfter === null ? { entryId: next.id, storeId: next.storeId } : null;
  }

  readAhead(siteId: number): void {
    try {
      this.readAheads.readAhead(siteId);
    } catch (error) {
      this.options.logError?.(`Reading ahead for site ${siteId} failed`, error);
    }
  }

  /**
   * The next part of a store's stream while the site still applies the part it has (protocol.ts,
   * streamAheadQuery): the entry's lines after line `after`, which must lie between what the site
   * acknowledged and what it was handed. When the store's lines end before the batch is full, the
   * batch goes on with the queue after that entry, as the site's next pull would once it has
   * acknowledged the store: everything before it is with the site already (the batch it applies
   * ends with this store's lines), so a store after a store comes without a pull in between.
   * Anything else (the entry acknowledged to its end, removed by a move, or a position the site was
   * never handed) answers no data: the site then pulls as usual.
   */
  queuedRecordsAheadJson(siteId: number, limit: number, entryId: number, after: string): string {
    const { queueLength, data, centralCursor } = this.sqlite
      .transaction(() => {
        const entry = this.statements.streamedEntryAt.get({ entryId, siteId, after }) as { storeId: number; sequence: number } | undefined;
        let data = '';
        if (entry !== undefined) {
          const { storeId } = entry;
          const lines = this.takeReadAhead(siteId, entryId, after, limit) ?? this.stream.lines(entryId, storeId, after, limit);
          if (lines.upTo !== null) this.stream.handed(entryId, lines.upTo);
          if (lines.count === limit && lines.upTo !== null) this.readAheads.plan({ siteId, entryId, storeId, after: lines.upTo, limit });
          const rest = lines.count < limit ? this.handOut(siteId, limit, limit - lines.count, { sequence: entry.sequence, id: entryId }) : '';
          data = [lines.json.slice(1, -1), rest].filter((part) => part.length > 0).join(',');
        }
        return {
          queueLength: this.statements.queueLength.get({ siteId }) as number,
          data,
          centralCursor: this.statements.maxCursor.get() as number,
        };
      })
      .immediate();
    return `{"queueLength":${queueLength},"centralCursor":${centralCursor},"data":[${data}]}`;
  }

  /**
   * The site applied what it was handed: queued rows leave, and a streamed store moves on to the
   * last line the site says it applied, or to where the latest answer ended when it does not say (v5);
   * the entry leaves once no line remains after that.
   */
  acknowledge(siteId: number, syncIds: number[], appliedUpTo: { syncOutId: number; recordId: string }[] = []): number {
    const ids = JSON.stringify(syncIds);
    const acknowledged = new Set(syncIds);
    const positions = appliedUpTo.filter((position) => acknowledged.has(position.syncOutId));
    return this.sqlite
      .transaction(() => {
        this.statements.acknowledgeStreams.run({ ids, positioned: JSON.stringify(positions.map((p) => p.syncOutId)), siteId });
        for (const position of positions) this.statements.acknowledgeStreamTo.run({ id: position.syncOutId, upTo: position.recordId, siteId });
        return this.statements.acknowledge.run({ ids, siteId }).changes;
      })
      .immediate();
  }

  centralRecordsJson(cursor: number, limit: number): string {
    const read = this.sqlite.transaction(() => ({
      maxCursor: this.statements.maxCursor.get() as number,
      data: this.statements.centralBatch.get(cursor, limit) as string,
    }));
    const { maxCursor, data } = read();
    return `{"maxCursor":${maxCursor},"data":${data}}`;
  }

  // ---- initialise ----------------------------------------------------------------------------

  /**
   * Starts the site afresh: its queue becomes one "send this store's data" entry per store on it,
   * and its pushes are numbered from the beginning again (a new or re-initialised datafile). Allowed
   * for a new site, for the datafile that started an initialisation a crash cut short, and when an
   * administrator of the remote site asked for Re-initialise; otherwise refused, so a stray call
   * cannot rebuild a site's queue at any time.
   */
  initialise(siteId: number, request: { reinitialise: boolean; instanceId: string }): { queueLength: number } {
    const answer = this.sqlite
      .transaction(() => {
        const status = this.statements.initialisationStatus.get(siteId) as string;
        const state = this.statements.pushState.get(siteId) as { upTo: number; instanceId: string | null } | undefined;
        const sameDatafile = state?.instanceId === request.instanceId;
        if (status === 'completed' && !request.reinitialise && !sameDatafile) throw new SyncApiError('site_already_initialised');
        // What this site pushed and the central buffered is integrated first: it left the site's datafile already.
        this.integrateBuffered(siteId, Number.MAX_SAFE_INTEGER);
        this.statements.clearQueue.run(siteId);
        this.statements.restartPushState.run(siteId, request.instanceId);
        this.statements.forgetAllSeen.run(siteId);
        queueStoreData(this.sqlite, siteId, this.statements.storesOfSite.all(siteId) as number[], new Date().toISOString());
        this.statements.setInitialisationStatus.run('completed', siteId);
        return { queueLength: this.statements.siteRecordCount.get(siteId) as number };
      })
      .immediate();
    this.planFirstPull(siteId);
    return answer;
  }

  /**
   * The site's first pull after initialise will most likely ask for DEFAULT_PULL_BATCH records from
   * the head of its queue: a "send this store's data" entry and as many of the store's first lines as
   * fit. Those lines are read ahead (once the initialise answer has gone out), while the site waits
   * for its status and fetches sites and stores; the first read of a store after a restart is the
   * slowest of all (80 ms of the bench's 1.2 s for 100,000 lines).
   */
  private planFirstPull(siteId: number): void {
    const [head] = this.statements.queueHead.all({ siteId, sequence: 0, id: 0, limit: 1 }) as QueueHeadRow[];
    if (head?.streamed !== 1 || head.streamAfter !== null) return;
    this.readAheads.plan({ siteId, entryId: head.id, storeId: head.storeId, after: '', limit: DEFAULT_PULL_BATCH - 1 });
  }

  // ---- push ----------------------------------------------------------------------------------

  /**
   * Buffers a pushed batch. A record numbered at or below what was already integrated is a re-send
   * only if it is the same record; otherwise the site's numbering went backwards and the whole push
   * is refused, naming the cause. Records that cannot be integrated are refused here, with the
   * reason, and not buffered. queueLength 0 starts integration.
   */
  receivePush(siteId: number, body: PushBody): PushAnswer {
    const refused: RefusedRecord[] = [];
    this.sqlite
      .transaction(() => {
        const upTo = (this.statements.pushState.get(siteId) as { upTo: number } | undefined)?.upTo ?? 0;
        for (const record of body.data) {
          const pushed = toPushed(record);
          const seen = this.statements.seen.get(siteId, record.syncOutId) as { fingerprint: string; refusal: string | null } | undefined;
          if (seen && seen.fingerprint !== fingerprint(pushed)) throw new SyncApiError('site_changes_went_backwards');
          if (seen) {
            // A re-send (the site did not get the answer): the same answer again.
            if (seen.refusal) refused.push({ syncOutId: record.syncOutId, ...(JSON.parse(seen.refusal) as Problem) });
            continue;
          }
          if (record.syncOutId <= upTo) throw new SyncApiError('site_changes_went_backwards');
          const problem = this.judge(siteId, pushed, 'receive');
          if (problem) {
            refused.push({ syncOutId: record.syncOutId, ...problem });
            this.statements.remember.run(siteId, record.syncOutId, fingerprint(pushed), JSON.stringify(problem));
            this.statements.unbuffer.run(siteId, record.syncOutId);
            this.answerWithCurrentLine(siteId, pushed);
            continue;
          }
          this.statements.buffer.run(
            siteId,
            record.syncOutId,
            record.tableName,
            record.recordId,
            record.action,
            JSON.stringify({
              recordData: record.recordData ?? null,
              baseVersion: record.baseVersion ?? null,
              baseChangedBy: record.baseChangedBy ?? null,
            }),
          );
        }
      })
      .immediate();
    let integrationStarted = false;
    if (body.queueLength === 0) {
      integrationStarted = this.background(siteId, 'integration_in_progress', () => this.integrate(siteId));
    }
    return refused.length > 0 ? { integrationStarted, refused } : { integrationStarted };
  }

  /**
   * Why a pushed record cannot be integrated for this site, or null when it can. On arrival only
   * what holds whatever came before it (table, action, the line's rules, the store on the site);
   * versions are judged at integration, in the order the site made its changes, since a batch may
   * change the same line twice.
   */
  private judge(siteId: number, record: Pushed, when: 'receive' | 'integrate'): Problem | null {
    if (record.tableName !== STORE_RECORD_TABLE) {
      return { storeId: null, code: 'unknown_table', message: `Records of table "${record.tableName}" are not accepted from remote sites.` };
    }
    if (record.action !== 'insert' && record.action !== 'update' && record.action !== 'delete') {
      return {
        storeId: null,
        code: 'invalid_record',
        message: `Stock line ${record.recordId} was refused: "${record.action}" is not a change this server takes.`,
      };
    }
    const current = this.records.current(record.recordId);
    const stores = new Set<number>();
    if (current) stores.add(current.storeId);
    let itemName: string | null = null;
    if (record.action !== 'delete') {
      const read = readStoreRecordData(record.recordId, record.recordData);
      if (!read.ok) return { storeId: null, code: 'invalid_record', message: read.message };
      stores.add(read.data.storeId);
      itemName = read.data.itemName;
    }
    for (const storeId of stores) {
      const store = this.statements.storeOfSite.get(storeId) as { siteId: number; name: string } | undefined;
      if (!store) {
        return { storeId, code: 'store_not_active_on_site', message: `Store ${storeId} no longer exists on the central server.` };
      }
      if (store.siteId !== siteId) {
        const now = this.statements.siteName.get(store.siteId) as string;
        return {
          storeId,
          code: 'store_not_active_on_site',
          message: `Store "${store.name}" is no longer active on this site (it is now on "${now}"), so its changes were refused.`,
        };
      }
    }
    const storeId = [...stores][0] ?? null;
    const line = itemName ? `Stock line "${itemName}"` : 'A stock line';
    // Conflicts: the change must be made from the state the central has now (its version, made where it was).
    if (when === 'integrate' && (typeof record.baseVersion === 'number' || record.action === 'insert')) {
      if (record.action === 'insert' && current) {
        return { storeId, code: 'conflict', message: `${line} already exists on the central server, so this new line was not added.` };
      }
      if (record.action === 'update' && !current) {
        return { storeId, code: 'conflict', message: `${line} was deleted since this change was made, so the change was not applied.` };
      }
      if (
        current &&
        record.action !== 'insert' &&
        (current.version !== record.baseVersion || current.changedBySiteId !== (record.baseChangedBy ?? null))
      ) {
        const where =
          current.changedBySiteId === null ? 'elsewhere' : `at "${this.statements.siteName.get(current.changedBySiteId) ?? 'another site'}"`;
        return {
          storeId,
          code: 'conflict',
          message: `${line} was changed ${where} since this change was made, so it was not applied over the newer value. Send it again to overwrite, or discard it.`,
        };
      }
    }
    return null;
  }

  /** After refusing a change of a line of a store on this site: the site gets the central's line (or its absence) back. */
  private answerWithCurrentLine(siteId: number, record: Pushed): void {
    if (record.tableName !== STORE_RECORD_TABLE) return;
    const current = this.records.current(record.recordId);
    const onSite = (id: number) => (this.statements.storeOfSite.get(id) as { siteId: number } | undefined)?.siteId === siteId;
    if (current) {
      if (!onSite(current.storeId)) return;
      this.statements.enqueue.run({
        siteId,
        storeId: current.storeId,
        tableName: STORE_RECORD_TABLE,
        recordId: record.recordId,
        action: 'update',
        data: this.statements.lineJson.get(record.recordId) as string,
      });
      return;
    }
    // The central has no such line: the site drops the one it made, if its store is here.
    const pushed = readStoreRecordData(record.recordId, record.recordData);
    if (pushed.ok && onSite(pushed.data.storeId)) {
      this.statements.enqueue.run({
        siteId,
        storeId: pushed.data.storeId,
        tableName: STORE_RECORD_TABLE,
        recordId: record.recordId,
        action: 'delete',
        data: null,
      });
    }
  }

  private async integrate(siteId: number): Promise<void> {
    for (;;) {
      if (this.closing) return;
      const count = this.sqlite.transaction(() => this.integrateBuffered(siteId, this.integrateChunk)).immediate();
      if (count < this.integrateChunk) return;
      await yieldToEventLoop();
    }
  }

  /** Integrates up to `limit` buffered records of the site; runs in the caller's transaction. Returns how many were read. */
  private integrateBuffered(siteId: number, limit: number): number {
    const rows = this.statements.buffered.all(siteId, limit) as {
      syncOutId: number;
      tableName: string;
      recordId: string;
      action: string;
      data: string;
    }[];
    let upTo = (this.statements.pushState.get(siteId) as { upTo: number } | undefined)?.upTo ?? 0;
    for (const row of rows) {
      if (row.syncOutId > upTo) {
        const { recordData, baseVersion, baseChangedBy } = JSON.parse(row.data) as {
          recordData: unknown;
          baseVersion: number | null;
          baseChangedBy?: number | null;
        };
        const pushed: Pushed = { ...row, recordData: recordData ?? undefined, baseVersion, baseChangedBy: baseChangedBy ?? null };
        // In the order the site made them: the store may have moved, or the line changed, since; answered back, not kept here.
        const problem = this.judge(siteId, pushed, 'integrate');
        if (problem) this.answerBack(siteId, pushed, problem);
        else this.apply(siteId, pushed);
        // A re-send of it (the site never got the push answer) gets the same answer: taken, or refused.
        this.statements.remember.run(siteId, row.syncOutId, fingerprint(pushed), problem ? JSON.stringify(problem) : null);
        upTo = row.syncOutId;
      }
      this.statements.unbuffer.run(siteId, row.syncOutId);
    }
    this.statements.setIntegratedUpTo.run(siteId, upTo);
    this.statements.forgetOldSeen.run(siteId, upTo - SEEN_WINDOW);
    return rows.length;
  }

  private apply(siteId: number, record: Pushed): void {
    if (record.action === 'delete') this.records.remove(record.recordId);
    else {
      const read = readStoreRecordData(record.recordId, record.recordData);
      if (read.ok) this.records.upsert({ ...read.data, changedBySiteId: siteId });
    }
    // The site owns its stores' data: its change replaces what the central had queued for it.
    this.statements.dropQueuedCopies.run(siteId, record.recordId, record.tableName);
  }

  /** A change refused after its push was answered: it goes back to the site in its queue, with the reason. */
  private answerBack(siteId: number, record: Pushed, problem: Problem): void {
    const data: RefusedChangeData = {
      pushedAs: record.syncOutId,
      storeId: problem.storeId,
      tableName: record.tableName,
      recordId: record.recordId,
      action: record.action as RefusedChangeData['action'],
      data: record.recordData === undefined ? null : JSON.stringify(record.recordData),
      baseVersion: record.baseVersion ?? null,
      baseChangedBy: record.baseChangedBy ?? null,
      code: problem.code,
      message: problem.message,
    };
    this.statements.enqueue.run({
      siteId,
      storeId: problem.storeId,
      tableName: REFUSED_CHANGE_TABLE,
      recordId: String(record.syncOutId),
      action: 'insert',
      data: JSON.stringify(data),
    });
    this.answerWithCurrentLine(siteId, record);
  }

  // ---- background work -----------------------------------------------------------------------

  private background(siteId: number, work: BackgroundWork, task: () => Promise<void>): boolean {
    if (!this.leases.begin(siteId, work)) return false;
    const done = task()
      .catch((error: unknown) => this.options.logError?.(`Sync ${work.replace(/_/g, ' ')} failed for site ${siteId}`, error))
      .finally(() => {
        this.leases.end(siteId, work);
        this.running.delete(done);
      });
    this.running.add(done);
    return true;
  }

  /** Resolves when no background work is running (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Stops background work between chunks; the next run resumes it. */
  async close(): Promise<void> {
    this.closing = true;
    await this.idle();
  }
}

function toPushed(record: QueuedRecord): Pushed {
  return {
    syncOutId: record.syncOutId,
    tableName: record.tableName,
    recordId: record.recordId,
    action: record.action,
    recordData: record.recordData,
    baseVersion: record.baseVersion,
    baseChangedBy: record.baseChangedBy,
  };
}
