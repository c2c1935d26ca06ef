/**
 * Pull of this site's queue (GET queued_records): each batch is applied together with the list of
 * its IDs to acknowledge, in one transaction, then acknowledged. A crash between the two
 * re-acknowledges at the start of the next run (acknowledgePending). While a batch that ends inside
 * a store's data is applied, the next part of that store is already on its way (a pull ahead), and
 * a batch's acknowledgement travels while the next batch is applied; an acknowledgement names the
 * last line applied of each store, so the central never counts applied what was only handed out
 * (protocol.ts, streamAheadQuery). Before a batch, the central's
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
import {
  type AcknowledgeBody,
  type QueuedRecord,
  type QueuedRecordsAnswer,
  REFUSED_CHANGE_TABLE,
  type RefusedChangeData,
  streamAheadQuery,
  syncRoutes,
} from '../protocol';
import { readStoreRecordData, STORE_DATA_TABLE, STORE_RECORD_TABLE, type StoreRecordData } from '../../services/store-records';
import { SyncRunError } from './central-calls';
import { notUnderstood } from './central-answer';
import { applyCentralChanges } from './central-records';
import type { RemoteSyncState } from '../../../db/settings';
import type { RunContext } from './run-context';

/** Acknowledges what the last run applied but could not acknowledge (it was cut off). */
export async function acknowledgePending(run: RunContext): Promise<void> {
  const { pendingAcks, pendingAppliedUpTo } = run.state.read();
  if (pendingAcks.length === 0) return;
  const body: AcknowledgeBody = { syncIDs: pendingAcks, appliedUpTo: pendingAppliedUpTo ?? [] };
  await run.central.call('POST', syncRoutes.acknowledgedRecords, body);
  run.state.update({ pendingAcks: [], pendingAppliedUpTo: [] });
}

/**
 * What acknowledges a batch: its syncOutIds, and for each entry whose store lines it carries, the
 * last of them (a store's lines come in id order, and more of them may have been handed out already).
 */
export function acknowledgementOf(data: readonly QueuedRecord[]): AcknowledgeBody {
  const ids = new Set<number>();
  const lastLine = new Map<number, string>();
  for (const record of data) {
    ids.add(record.syncOutId);
    if (record.tableName === STORE_RECORD_TABLE) lastLine.set(record.syncOutId, record.recordId);
  }
  return {
    syncIDs: [...ids],
    appliedUpTo: [...lastLine].map(([syncOutId, recordId]) => ({ syncOutId, recordId })),
  };
}

/**
 * Yields until the event loop has polled for I/O once. A request just made may need a connection
 * first (the others are busy: an acknowledgement, an answer still being read); its connect completes
 * only at a poll, and one turn (a single setImmediate) can end before any poll. Seen: the second
 * pull ahead of a run opened a connection and left only after the batch was applied, 100 ms later.
 */
const pollOnce = async (): Promise<void> => {
  for (let turn = 0; turn < 2; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** The last record of a full answer, when it is a store line: the stream it belongs to likely goes on. */
function streamGoesOn(answer: QueuedRecordsAnswer, limit: number): { entry: number; after: string } | null {
  const last = answer.data[answer.data.length - 1];
  if (answer.data.length < limit || last?.tableName !== STORE_RECORD_TABLE || typeof last.recordId !== 'string') return null;
  return { entry: last.syncOutId, after: last.recordId };
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
  // Lines to write, in order: written together (records.upsertMany) before anything else is done.
  const lines: StoreRecordData[] = [];
  const writeLines = (): void => {
    records.upsertMany(lines);
    lines.length = 0;
  };
  const apply = (record: QueuedRecord, now: string): void => {
    if (record.tableName === STORE_RECORD_TABLE && record.action !== 'delete') {
      if (unsentHere && s.hasLocalChange.get(record.recordId)) return;
      const read = readStoreRecordData(record.recordId, record.recordData);
      if (!read.ok) return;
      if (!knownStores.has(read.data.storeId)) {
        if (s.storeExists.get(read.data.storeId)) knownStores.add(read.data.storeId);
        else throw new SyncRunError('The central server sent stock of a store this site does not know yet. The next sync will fetch it.');
      }
      lines.push(read.data);
      return;
    }
    writeLines();
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
    records.remove(record.recordId);
  };

  const limit = run.batch.pull;
  const pull = async (ahead: { entry: number; after: string } | null): Promise<QueuedRecordsAnswer> => {
    const query = ahead ? `&${streamAheadQuery.entry}=${ahead.entry}&${streamAheadQuery.after}=${encodeURIComponent(ahead.after)}` : '';
    const answer = (await run.central.call('GET', `${syncRoutes.queuedRecords}?limit=${limit}${query}`)) as QueuedRecordsAnswer | null;
    if (!answer || !Array.isArray(answer.data) || typeof answer.queueLength !== 'number') throw new SyncRunError(notUnderstood, 'server_error');
    return answer;
  };

  // While a batch is applied, the next part of the store it ends in is already asked for (a pull
  // ahead, protocol.ts), so the central reads it and sends it meanwhile; and a batch's
  // acknowledgement goes while the next batch is applied. The answer to a pull ahead still counts
  // the batch being applied in its queueLength: `counted` is what it counts from.
  const acks = new PendingAcks(run);
  try {
    let answer = await pull(null);
    let counted = 0;
    for (let pass = 0; pass < 1_000_000; pass += 1) {
      // Which stores are here, as of when the batch was read: a store that left and came back since
      // this run read the stores must not take the lines that came back with it when it leaves here.
      if (typeof answer.centralCursor === 'number' && answer.data.length > 0) await applyCentralChanges(run, { upTo: answer.centralCursor });
      total = Math.max(total, counted + answer.queueLength);
      run.progress('pulling', 'Receiving store data…', done, total);
      if (answer.data.length === 0) {
        await acks.settle();
        run.state.update({ waitingIn: 0 });
        return;
      }
      const goesOn = streamGoesOn(answer, limit);
      const next = goesOn ? pull(goesOn) : null;
      // Not awaited until this batch is applied; a failure then is the run's failure, not an unhandled one.
      next?.catch(() => undefined);
      // Lets the pull ahead leave before the (synchronous) apply takes the thread.
      if (next) await pollOnce();
      const acknowledgement = acknowledgementOf(answer.data);
      const now = new Date().toISOString();
      const records = answer.data;
      const waiting = Math.max(0, counted + answer.queueLength - done - records.length);
      sqlite
        .transaction(() => {
          unsentHere = s.anyLocalChange.get() === 1;
          knownStores.clear();
          lines.length = 0;
          for (const record of records) apply(record, now);
          writeLines();
          acks.applied(acknowledgement, { waitingIn: waiting });
        })
        .immediate();
      acks.send();
      counted = done;
      done += records.length;
      const ahead = next ? await next : null;
      if (ahead && ahead.data.length > 0) {
        answer = ahead;
        continue;
      }
      // No pull ahead, or nothing came of it (the stream ended, or changed): the queue as usual,
      // once the central has every acknowledgement.
      await acks.settle();
      counted = done;
      answer = await pull(null);
    }
  } finally {
    acks.abandon();
  }
}

/**
 * The acknowledgements of applied batches: each is kept in the datafile (pendingAcks, in the
 * batch's own transaction) until the central confirms it, so a run cut off anywhere acknowledges
 * at the start of the next run (acknowledgePending). One is on its way at a time, in order.
 */
class PendingAcks {
  /** Applied, not yet confirmed by the central: the one on its way, then the ones waiting. */
  private unconfirmed: AcknowledgeBody[] = [];
  private sending: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(private readonly run: RunContext) {}

  /** Inside the batch's transaction: the batch is applied, so its acknowledgement is owed. */
  applied(acknowledgement: AcknowledgeBody, state: Partial<RemoteSyncState>): void {
    this.unconfirmed.push(acknowledgement);
    this.run.state.update({ ...state, ...merged(this.unconfirmed) });
  }

  /** Sends what is owed, after the one on its way; throws when an earlier one failed (so no more is applied). */
  send(): void {
    if (this.failure) throw this.failure;
    if (this.sending || this.unconfirmed.length === 0) return;
    const owed = this.unconfirmed.slice();
    const body = merged(owed);
    this.sending = this.run.central
      .call('POST', syncRoutes.acknowledgedRecords, { syncIDs: body.pendingAcks, appliedUpTo: body.pendingAppliedUpTo })
      .then(
        () => {
          this.unconfirmed = this.unconfirmed.slice(owed.length);
          this.run.state.update(merged(this.unconfirmed));
          this.sending = null;
          if (this.unconfirmed.length > 0) this.send();
        },
        (error: unknown) => {
          this.failure = error;
          this.sending = null;
        },
      );
  }

  /** Waits until the central has confirmed every acknowledgement owed; throws the first failure. */
  async settle(): Promise<void> {
    while (this.sending) await this.sending;
    if (this.failure) throw this.failure;
  }

  /** The run ends with a failure: what is unconfirmed stays in pendingAcks for the next run. */
  abandon(): void {
    this.sending?.catch(() => undefined);
  }
}

/** Several batches' acknowledgements as one: every syncOutId, and each streamed entry's last line applied (the latest batch's). */
function merged(acknowledgements: readonly AcknowledgeBody[]): Pick<RemoteSyncState, 'pendingAcks' | 'pendingAppliedUpTo'> {
  const ids = new Set<number>();
  const upTo = new Map<number, string>();
  for (const acknowledgement of acknowledgements) {
    for (const id of acknowledgement.syncIDs) ids.add(id);
    for (const position of acknowledgement.appliedUpTo ?? []) upTo.set(position.syncOutId, position.recordId);
  }
  return { pendingAcks: [...ids], pendingAppliedUpTo: [...upTo].map(([syncOutId, recordId]) => ({ syncOutId, recordId })) };
}
