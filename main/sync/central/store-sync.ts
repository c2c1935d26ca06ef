/**
 * The central's side of the data routes: building a site's queue at initialise, handing out and
 * forgetting queued records, buffering pushed records and integrating them, and the central change
 * log read by cursor. Answers are built as JSON text inside SQLite, so a batch of thousands of
 * records costs no per-record JavaScript objects.
 *
 * Initialisation and integration run in the background in chunks (one transaction each), so the
 * server keeps answering (site_status says what it is doing) and a crash loses at most one chunk's
 * work, which the next run redoes: initialise rebuilds the queue from scratch, and integration
 * resumes from the buffer, skipping what the site's high-water mark says is already integrated.
 */
import type Database from 'better-sqlite3';
import type { Datafile } from '../../../db/datafile';
import { type PushAnswer, type PushBody, type RefusedRecord } from '../protocol';
import type { BackgroundWork, SiteRunLeases } from './site-run-leases';
import { queueStoreRecords, readStoreRecordData, STORE_RECORD_TABLE, storeRecordStatements } from '../../services/store-records';

export interface CentralStoreSyncOptions {
  /** Records queued per transaction while initialising a site. */
  initialiseChunk?: number;
  /** Pushed records integrated per transaction. */
  integrateChunk?: number;
  /** Where failures of background work are reported. */
  logError?: (message: string, error: unknown) => void;
}

const recordJsonSql = `case when data is null
  then json_object('syncOutId', id, 'tableName', table_name, 'recordId', record_id, 'action', action)
  else json_object('syncOutId', id, 'tableName', table_name, 'recordId', record_id, 'action', action, 'recordData', json(data)) end`;

const centralJsonSql = `case when data is null
  then json_object('ID', id, 'tableName', table_name, 'recordId', record_id, 'action', action)
  else json_object('ID', id, 'tableName', table_name, 'recordId', record_id, 'action', action, 'recordData', json(data)) end`;

function prepare(sqlite: Database.Database) {
  return {
    queueLength: sqlite.prepare('select count(*) from sync_out where site_id = ?').pluck(),
    queuedBatch: sqlite
      .prepare(
        `select coalesce(json_group_array(json(rec)), '[]') from
           (select ${recordJsonSql} as rec from sync_out where site_id = ? order by sequence, id limit ?)`,
      )
      .pluck(),
    acknowledge: sqlite.prepare('delete from sync_out where site_id = ? and id in (select value from json_each(?))'),
    centralBatch: sqlite
      .prepare(
        `select coalesce(json_group_array(json(rec)), '[]') from
           (select ${centralJsonSql} as rec from central_change where id > ? order by id limit ?)`,
      )
      .pluck(),
    maxCursor: sqlite.prepare('select coalesce(max(id), 0) from central_change').pluck(),
    storeOfSite: sqlite.prepare('select site_id as siteId, name from store where id = ?'),
    siteName: sqlite.prepare('select name from site where id = ?').pluck(),
    integratedUpTo: sqlite.prepare('select integrated_up_to from site_push_state where site_id = ?').pluck(),
    setIntegratedUpTo: sqlite.prepare(
      `insert into site_push_state (site_id, integrated_up_to) values (?, ?)
       on conflict(site_id) do update set integrated_up_to = max(integrated_up_to, excluded.integrated_up_to)`,
    ),
    resetIntegratedUpTo: sqlite.prepare(
      `insert into site_push_state (site_id, integrated_up_to) values (?, 0)
       on conflict(site_id) do update set integrated_up_to = 0`,
    ),
    buffer: sqlite.prepare(
      `insert or ignore into sync_in (site_id, sync_out_id, table_name, record_id, action, data) values (?, ?, ?, ?, ?, ?)`,
    ),
    buffered: sqlite.prepare(
      `select sync_out_id as syncOutId, table_name as tableName, record_id as recordId, action, data from sync_in
       where site_id = ? and refused_message is null order by sync_out_id limit ?`,
    ),
    unbuffer: sqlite.prepare('delete from sync_in where site_id = ? and sync_out_id = ?'),
    dropQueuedCopies: sqlite.prepare('delete from sync_out where site_id = ? and record_id = ? and table_name = ?'),
    refuseBuffered: sqlite.prepare('update sync_in set refused_message = ? where site_id = ? and sync_out_id = ?'),
    initialisationStatus: sqlite.prepare('update site set initialisation_status = ? where id = ?'),
    clearQueue: sqlite.prepare('delete from sync_out where site_id = ?'),
    siteRecordCount: sqlite
      .prepare('select count(*) from store_record r join store s on s.id = r.store_id where s.site_id = ?')
      .pluck(),
    nextRowids: sqlite
      .prepare(
        `select max(rowid) from (select r.rowid from store_record r join store s on s.id = r.store_id
           where s.site_id = ? and r.rowid > ? order by r.rowid limit ?)`,
      )
      .pluck(),
    markSynced: sqlite.prepare('update site set last_synced_at = ? where id = ?'),
  };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class CentralStoreSync {
  private readonly statements: ReturnType<typeof prepare>;
  private readonly records: ReturnType<typeof storeRecordStatements>;
  private readonly running = new Set<Promise<void>>();
  private closing = false;
  private readonly initialiseChunk: number;
  private readonly integrateChunk: number;

  constructor(
    private readonly datafile: Datafile,
    readonly leases: SiteRunLeases,
    private readonly options: CentralStoreSyncOptions = {},
  ) {
    this.statements = prepare(datafile.sqlite);
    this.records = storeRecordStatements(datafile.sqlite);
    this.initialiseChunk = options.initialiseChunk ?? 20_000;
    this.integrateChunk = options.integrateChunk ?? 2000;
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  // ---- pull ----------------------------------------------------------------------------------

  /** JSON text of `{queueLength, data}`: the oldest `limit` records of the site's queue. */
  queuedRecordsJson(siteId: number, limit: number): { json: string; empty: boolean } {
    const read = this.sqlite.transaction(() => {
      const queueLength = this.statements.queueLength.get(siteId) as number;
      const data = queueLength === 0 ? '[]' : (this.statements.queuedBatch.get(siteId, limit) as string);
      return { queueLength, data };
    });
    const { queueLength, data } = read();
    if (queueLength === 0) this.statements.markSynced.run(new Date().toISOString(), siteId);
    return { json: `{"queueLength":${queueLength},"data":${data}}`, empty: queueLength === 0 };
  }

  acknowledge(siteId: number, syncIds: number[]): number {
    return this.statements.acknowledge.run(siteId, JSON.stringify(syncIds)).changes;
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

  /** Starts building the site's queue of everything it must receive; a second call while it runs starts nothing. */
  initialise(siteId: number): { queueLength: number } {
    const queueLength = this.statements.siteRecordCount.get(siteId) as number;
    this.background(siteId, 'initialisation_in_progress', () => this.buildQueue(siteId));
    return { queueLength };
  }

  private async buildQueue(siteId: number): Promise<void> {
    const now = new Date().toISOString();
    this.sqlite
      .transaction(() => {
        this.statements.clearQueue.run(siteId);
        // A new remote datafile numbers its pushes from 1 again.
        this.statements.resetIntegratedUpTo.run(siteId);
        this.statements.initialisationStatus.run('started', siteId);
      })
      .immediate();
    let after = 0;
    try {
      for (;;) {
        if (this.closing) return;
        const done = this.sqlite
          .transaction(() => {
            const upto = this.statements.nextRowids.get(siteId, after, this.initialiseChunk) as number | null;
            if (upto === null) {
              this.statements.initialisationStatus.run('completed', siteId);
              return true;
            }
            queueStoreRecords(this.sqlite, siteId, now, { storesOfSite: true, afterRowid: after, uptoRowid: upto });
            after = upto;
            return false;
          })
          .immediate();
        if (done) return;
        await yieldToEventLoop();
      }
    } catch (error) {
      this.statements.initialisationStatus.run('error', siteId);
      throw error;
    }
  }

  // ---- push ----------------------------------------------------------------------------------

  /**
   * Buffers a pushed batch. Records for a store that is not on the site are refused here, with the
   * reason, and not buffered: the remote keeps them. queueLength 0 starts integration.
   */
  receivePush(siteId: number, body: PushBody): PushAnswer {
    const refused: RefusedRecord[] = [];
    this.sqlite
      .transaction(() => {
        const upTo = (this.statements.integratedUpTo.get(siteId) as number | undefined) ?? 0;
        for (const record of body.data) {
          if (record.syncOutId <= upTo) continue;
          const problem = this.checkRecord(siteId, record.tableName, record.recordId, record.action, record.recordData);
          if (problem) {
            refused.push({ syncOutId: record.syncOutId, ...problem });
            continue;
          }
          this.statements.buffer.run(
            siteId,
            record.syncOutId,
            record.tableName,
            record.recordId,
            record.action,
            record.recordData === undefined ? null : JSON.stringify(record.recordData),
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

  /** Why a pushed record cannot be integrated for this site, or null when it can. */
  private checkRecord(
    siteId: number,
    tableName: string,
    recordId: string,
    action: string,
    recordData: unknown,
  ): Omit<RefusedRecord, 'syncOutId'> | null {
    if (tableName !== STORE_RECORD_TABLE) {
      return { storeId: null, code: 'unknown_table', message: `Records of table "${tableName}" are not accepted from remote sites.` };
    }
    const stores = new Set<number>();
    const current = this.records.storeOf(recordId);
    if (current !== undefined) stores.add(current);
    if (action !== 'delete') {
      const data = readStoreRecordData(recordId, recordData);
      if (!data) return { storeId: null, code: 'invalid_record', message: `Stock line ${recordId} could not be read.` };
      stores.add(data.storeId);
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
    return null;
  }

  private async integrate(siteId: number): Promise<void> {
    for (;;) {
      if (this.closing) return;
      const count = this.sqlite
        .transaction(() => {
          const rows = this.statements.buffered.all(siteId, this.integrateChunk) as {
            syncOutId: number;
            tableName: string;
            recordId: string;
            action: string;
            data: string | null;
          }[];
          let upTo = (this.statements.integratedUpTo.get(siteId) as number | undefined) ?? 0;
          for (const row of rows) {
            if (row.syncOutId > upTo) {
              const data = row.data === null ? undefined : (JSON.parse(row.data) as unknown);
              // The store may have moved off the site since the batch arrived: kept here, refused.
              const problem = this.checkRecord(siteId, row.tableName, row.recordId, row.action, data);
              if (problem) {
                this.statements.refuseBuffered.run(problem.message, siteId, row.syncOutId);
                continue;
              }
              if (row.action === 'delete') this.records.remove(row.recordId);
              else this.records.upsert(readStoreRecordData(row.recordId, data)!);
              // The site owns its stores' data: its change replaces what the central had queued for it.
              this.statements.dropQueuedCopies.run(siteId, row.recordId, row.tableName);
              upTo = row.syncOutId;
            }
            this.statements.unbuffer.run(siteId, row.syncOutId);
          }
          this.statements.setIntegratedUpTo.run(siteId, upTo);
          return rows.length;
        })
        .immediate();
      if (count < this.integrateChunk) return;
      await yieldToEventLoop();
    }
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
