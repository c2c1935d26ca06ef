/**
 * Pull of this site's queue (GET queued_records): each batch is applied together with the list of
 * its IDs to acknowledge, in one transaction, then acknowledged. A crash between the two
 * re-acknowledges at the start of the next run (acknowledgePending). A record received for a line
 * with an unpushed local change is skipped: this site owns its stores' data, and the local change
 * goes to the central on the next push.
 */
import { type QueuedRecordsAnswer, syncRoutes } from '../protocol';
import { readStoreRecordData, STORE_RECORD_TABLE } from '../../services/store-records';
import { SyncRunError } from './central-calls';
import { notUnderstood } from './central-answer';
import type { RunContext } from './run-context';

/** Acknowledges what the last run applied but could not acknowledge (it was cut off). */
export async function acknowledgePending(run: RunContext): Promise<void> {
  const pending = run.state.read().pendingAcks;
  if (pending.length === 0) return;
  await run.central.call('POST', syncRoutes.acknowledgedRecords, { syncIDs: pending });
  run.state.update({ pendingAcks: [] });
}

export async function pullQueuedRecords(run: RunContext): Promise<void> {
  const { sqlite, records } = run;
  const hasLocalChange = sqlite.prepare('select 1 from remote_out where record_id = ? and refused_at is null limit 1').pluck();
  const storeExists = sqlite.prepare('select 1 from store where id = ?').pluck();
  let done = 0;
  let total = 0;
  for (let pass = 0; pass < 1_000_000; pass += 1) {
    const answer = (await run.central.call('GET', `${syncRoutes.queuedRecords}?limit=${run.batch.pull}`)) as QueuedRecordsAnswer | null;
    if (!answer || !Array.isArray(answer.data) || typeof answer.queueLength !== 'number') throw new SyncRunError(notUnderstood);
    total = Math.max(total, done + answer.queueLength);
    run.progress('pulling', 'Receiving store data…', done, total);
    if (answer.data.length === 0) {
      run.state.update({ waitingIn: 0 });
      return;
    }
    const ids = answer.data.map((r) => r.syncOutId);
    sqlite
      .transaction(() => {
        for (const record of answer.data) {
          if (record.tableName !== STORE_RECORD_TABLE) continue;
          if (hasLocalChange.get(record.recordId)) continue;
          if (record.action === 'delete') {
            records.remove(record.recordId);
            continue;
          }
          const data = readStoreRecordData(record.recordId, record.recordData);
          if (!data) continue;
          if (!storeExists.get(data.storeId)) {
            throw new SyncRunError('The central server sent stock of a store this site does not know yet. The next sync will fetch it.');
          }
          records.upsert(data);
        }
        run.state.update({ pendingAcks: ids, waitingIn: Math.max(0, answer.queueLength - ids.length) });
      })
      .immediate();
    await run.central.call('POST', syncRoutes.acknowledgedRecords, { syncIDs: ids });
    run.state.update({ pendingAcks: [] });
    done += ids.length;
  }
}
