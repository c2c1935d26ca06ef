/**
 * Pull of this site's queue (GET queued_records): each batch is applied together with the list of
 * its IDs to acknowledge, in one transaction, then acknowledged. A crash between the two
 * re-acknowledges at the start of the next run (acknowledgePending). Before a batch, the central's
 * changes of sites and stores up to when the batch was read are applied (its centralCursor), so
 * the batch lands on the stores as they were then: a store's later departure removes its lines,
 * an earlier one cannot remove lines that came after it.
 *
 * What arrives: stock lines (applied, unless this site has an unsent change of the line: that goes
 * to the central on the next push, which decides), "here is the whole store" (the lines of that
 * store this site still holds are dropped first, so a line deleted elsewhere never comes back), and
 * changes the central refused after accepting them, kept here for review.
 */
import type Database from 'better-sqlite3';
import { type QueuedRecord, type QueuedRecordsAnswer, REFUSED_CHANGE_TABLE, type RefusedChangeData, syncRoutes } from '../protocol';
import { readStoreRecordData, STORE_DATA_TABLE, STORE_RECORD_TABLE } from '../../services/store-records';
import { SyncRunError } from './central-calls';
import { notUnderstood } from './central-answer';
import { applyCentralChanges } from './central-records';
import type { RunContext } from './run-context';

/** Acknowledges what the last run applied but could not acknowledge (it was cut off). */
export async function acknowledgePending(run: RunContext): Promise<void> {
  const pending = run.state.read().pendingAcks;
  if (pending.length === 0) return;
  await run.central.call('POST', syncRoutes.acknowledgedRecords, { syncIDs: pending });
  run.state.update({ pendingAcks: [] });
}

function statements(sqlite: Database.Database) {
  return {
    hasLocalChange: sqlite.prepare('select 1 from remote_out where record_id = ? and refused_at is null limit 1').pluck(),
    anyLocalChange: sqlite.prepare('select exists (select 1 from remote_out where refused_at is null)').pluck(),
    storeExists: sqlite.prepare('select 1 from store where id = ?').pluck(),
    dropStoreLines: sqlite.prepare(
      `delete from store_record where store_id = ?
         and not exists (select 1 from remote_out o where o.record_id = store_record.id and o.refused_at is null)`,
    ),
    refuseStillWaiting: sqlite.prepare(
      `update remote_out set refused_at = :now, refused_message = :message, refused_code = :code
       where id = :pushedAs and refused_at is null`,
    ),
    keepRefused: sqlite.prepare(
      `insert into remote_out (store_id, table_name, record_id, action, data, base_version, base_changed_by, refused_at, refused_message, refused_code, pushed_as)
       select :storeId, :tableName, :recordId, :action, :data, :baseVersion, :baseChangedBy, :now, :message, :code, :pushedAs
       where not exists (select 1 from remote_out where id = :pushedAs or pushed_as = :pushedAs)`,
    ),
  };
}

export async function pullQueuedRecords(run: RunContext): Promise<void> {
  const { sqlite, records } = run;
  const s = statements(sqlite);
  let done = 0;
  let total = 0;

  // Per batch: whether any change made here is unsent (none, when a site initialises), and the stores known.
  let unsentHere = true;
  const knownStores = new Set<number>();
  const apply = (record: QueuedRecord, now: string): void => {
    if (record.tableName === STORE_DATA_TABLE) {
      const storeId = Number(record.recordId);
      if (Number.isInteger(storeId)) s.dropStoreLines.run(storeId);
      return;
    }
    if (record.tableName === REFUSED_CHANGE_TABLE) {
      const refused = record.recordData as unknown as RefusedChangeData | undefined;
      if (!refused || typeof refused.pushedAs !== 'number') return;
      // The change may still be here, sent but unanswered: it is that change that was refused.
      s.refuseStillWaiting.run({ now, message: refused.message, code: refused.code, pushedAs: refused.pushedAs });
      s.keepRefused.run({
        storeId: refused.storeId ?? 0,
        tableName: refused.tableName,
        recordId: refused.recordId,
        action: refused.action,
        data: refused.data,
        baseVersion: refused.baseVersion,
        baseChangedBy: refused.baseChangedBy ?? null,
        now,
        message: refused.message,
        code: refused.code,
        pushedAs: refused.pushedAs,
      });
      return;
    }
    if (record.tableName !== STORE_RECORD_TABLE) return;
    if (unsentHere && s.hasLocalChange.get(record.recordId)) return;
    if (record.action === 'delete') {
      records.remove(record.recordId);
      return;
    }
    const read = readStoreRecordData(record.recordId, record.recordData);
    if (!read.ok) return;
    if (!knownStores.has(read.data.storeId)) {
      if (s.storeExists.get(read.data.storeId)) knownStores.add(read.data.storeId);
      else throw new SyncRunError('The central server sent stock of a store this site does not know yet. The next sync will fetch it.');
    }
    records.upsert(read.data);
  };

  for (let pass = 0; pass < 1_000_000; pass += 1) {
    const answer = (await run.central.call('GET', `${syncRoutes.queuedRecords}?limit=${run.batch.pull}`)) as QueuedRecordsAnswer | null;
    if (!answer || !Array.isArray(answer.data) || typeof answer.queueLength !== 'number') throw new SyncRunError(notUnderstood, 'server_error');
    // Which stores are here, as of when the batch was read: a store that left and came back since
    // this run read the stores must not take the lines that came back with it when it leaves here.
    if (typeof answer.centralCursor === 'number' && answer.data.length > 0) await applyCentralChanges(run, { upTo: answer.centralCursor });
    total = Math.max(total, done + answer.queueLength);
    run.progress('pulling', 'Receiving store data…', done, total);
    if (answer.data.length === 0) {
      run.state.update({ waitingIn: 0 });
      return;
    }
    // The lines of a streamed store all carry their entry's syncOutId: it is acknowledged once.
    const ids = [...new Set(answer.data.map((r) => r.syncOutId))];
    const now = new Date().toISOString();
    sqlite
      .transaction(() => {
        unsentHere = s.anyLocalChange.get() === 1;
        knownStores.clear();
        for (const record of answer.data) apply(record, now);
        run.state.update({ pendingAcks: ids, waitingIn: Math.max(0, answer.queueLength - answer.data.length) });
      })
      .immediate();
    await run.central.call('POST', syncRoutes.acknowledgedRecords, { syncIDs: ids });
    run.state.update({ pendingAcks: [] });
    done += answer.data.length;
  }
}
