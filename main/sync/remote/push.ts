/**
 * Push: this site's changes (remote_out) go to the central in batches, each POST queued_records
 * carrying how many remain, the last with queueLength 0 (sent even when there is nothing, so an
 * integration a crash cut short resumes). Accepted records leave remote_out; refused ones stay,
 * marked with the central's reason (the central sends its own line back, which the pull applies).
 * Each change names the version of the line it was made from, so the central can tell a stale
 * change from a current one. Then wait while the central integrates.
 */
import { type PushAnswer, type QueuedRecord, syncRoutes } from '../protocol';
import type { RunContext } from './run-context';

interface OutRow {
  id: number;
  tableName: string;
  recordId: string;
  action: 'insert' | 'update' | 'delete';
  data: string | null;
  baseVersion: number | null;
  baseChangedBy: number | null;
}

export async function pushChanges(run: RunContext): Promise<void> {
  const { sqlite } = run;
  const batch = run.batch.push;
  const countAfter = sqlite.prepare('select count(*) from remote_out where refused_at is null and id > ?').pluck();
  const nextBatch = sqlite.prepare(
    `select id, table_name as tableName, record_id as recordId, action, data, base_version as baseVersion, base_changed_by as baseChangedBy
     from remote_out where refused_at is null and id > ? order by id limit ?`,
  );
  const removeSent = sqlite.prepare('delete from remote_out where id = ? and refused_at is null');
  const markRefused = sqlite.prepare('update remote_out set refused_at = ?, refused_message = ?, refused_code = ? where id = ?');
  const markSent = sqlite.prepare('update remote_out set sent_at = ? where id = ? and sent_at is null');
  const total = countAfter.get(0) as number;
  // Bounded even while someone keeps editing: after this many batches the next one is sent as the last.
  const maxPasses = Math.ceil(total / batch) + 2;
  let sent = 0;
  let after = 0;
  let integrationStarted = false;
  for (let pass = 1; pass <= maxPasses; pass += 1) {
    const rows = nextBatch.all(after, batch) as OutRow[];
    const lastId = rows.length > 0 ? rows[rows.length - 1]!.id : after;
    const remaining = rows.length === 0 ? 0 : (countAfter.get(lastId) as number);
    const last = remaining === 0 || pass === maxPasses;
    const data: QueuedRecord[] = rows.map((r) => ({
      syncOutId: r.id,
      tableName: r.tableName,
      recordId: r.recordId,
      action: r.action,
      ...(r.data === null ? {} : { recordData: JSON.parse(r.data) as Record<string, unknown> }),
      baseVersion: r.baseVersion,
      baseChangedBy: r.baseChangedBy,
    }));
    run.progress('pushing', 'Sending changes made here…', sent, total);
    // Marked before it leaves: an answer lost on the way back must not let a later edit here fold
    // into a change the central may already have.
    const sending = new Date().toISOString();
    sqlite.transaction(() => rows.forEach((row) => markSent.run(sending, row.id))).immediate();
    const answer = (await run.central.call('POST', syncRoutes.queuedRecords, { queueLength: last ? 0 : remaining, data })) as PushAnswer;
    const refused = new Map((answer.refused ?? []).map((r) => [r.syncOutId, r]));
    const now = new Date().toISOString();
    sqlite
      .transaction(() => {
        for (const row of rows) {
          const reason = refused.get(row.id);
          if (reason !== undefined) markRefused.run(now, reason.message, reason.code, row.id);
          else removeSent.run(row.id);
        }
      })
      .immediate();
    integrationStarted ||= answer.integrationStarted === true;
    sent += rows.length;
    after = lastId;
    run.progress('pushing', 'Sending changes made here…', sent, total);
    if (last) break;
  }
  if (integrationStarted) await run.central.waitUntilIdle('integrating', 'The central server is integrating the changes sent…');
}
