/**
 * Pull of the central data (sites and stores) by cursor, and the translator that turns each
 * central record into this datafile's rows. A batch and the new cursor are saved in one
 * transaction, so a run cut off anywhere re-reads at most one batch.
 */
import type Database from 'better-sqlite3';
import { getSetting, setSetting } from '../../../db/settings';
import { activeSiteId } from '../../services/datafile-role';
import { nameKey } from '../../../shared/names';
import { type CentralRecord, type CentralRecordsAnswer, syncRoutes } from '../protocol';
import { SyncRunError } from './central-calls';
import { notUnderstood } from './central-answer';
import type { RunContext } from './run-context';

function centralStatements(sqlite: Database.Database) {
  return {
    upsertSite: sqlite.prepare(
      `insert into site (id, uuid, code, name, name_key, type, is_central) values (@id, @uuid, @code, @name, @nameKey, @type, @isCentral)
       on conflict(id) do update set uuid = excluded.uuid, code = excluded.code, name = excluded.name,
         name_key = excluded.name_key, type = excluded.type, is_central = excluded.is_central`,
    ),
    deleteSite: sqlite.prepare(
      `delete from site where id = ? and id is not (select json_extract(value, '$') from setting where key = 'active_site_id')
         and not exists (select 1 from store where site_id = site.id)`,
    ),
    upsertStore: sqlite.prepare(
      `insert into store (id, uuid, code, name, site_id) values (@id, @uuid, @code, @name, @siteId)
       on conflict(id) do update set uuid = excluded.uuid, code = excluded.code, name = excluded.name, site_id = excluded.site_id`,
    ),
    deleteStoreData: sqlite.prepare('delete from store_record where store_id = ?'),
    deleteStore: sqlite.prepare('delete from store where id = ?'),
    siteOfStore: sqlite.prepare('select site_id from store where id = ?').pluck(),
    siteName: sqlite.prepare('select name from site where id = ?').pluck(),
    refuseUnsent: sqlite.prepare(
      `update remote_out set refused_at = ?, refused_code = 'store_not_active_on_site', refused_message = ?
       where store_id = ? and refused_at is null`,
    ),
  };
}

type CentralStatements = ReturnType<typeof centralStatements>;

/**
 * A store this site held has gone to another site: its data goes with it. The site stops showing
 * it, and changes made here that were not sent yet are kept as refused changes, not applied.
 */
function storeLeft(statements: CentralStatements, storeId: number, storeName: string, toSiteId: number): void {
  const to = (statements.siteName.get(toSiteId) as string | undefined) ?? `site ${toSiteId}`;
  statements.refuseUnsent.run(
    new Date().toISOString(),
    `Store "${storeName}" moved to "${to}" before these changes were sent, so they were not applied there. ` +
      'Send them again if the store comes back to this site, or discard them.',
    storeId,
  );
  statements.deleteStoreData.run(storeId);
}

/** The translator: one central record (a site or a store) into this datafile's rows. */
export function applyCentralRecord(statements: CentralStatements, record: CentralRecord, here: number): void {
  const data = record.recordData ?? {};
  const id = Number(record.recordId);
  if (!Number.isInteger(id)) return;
  if (record.tableName === 'site') {
    if (record.action === 'delete') {
      statements.deleteSite.run(id);
      return;
    }
    const name = String(data.name ?? '');
    statements.upsertSite.run({
      id,
      uuid: String(data.uuid ?? ''),
      code: String(data.code ?? ''),
      name,
      nameKey: nameKey(name),
      type: data.type === 'mobile' ? 'mobile' : 'standalone',
      isCentral: data.isCentral ? 1 : 0,
    });
  } else if (record.tableName === 'store') {
    if (record.action === 'delete') {
      statements.deleteStoreData.run(id);
      statements.deleteStore.run(id);
      return;
    }
    const siteId = Number(data.siteId);
    const before = statements.siteOfStore.get(id) as number | undefined;
    if (before !== undefined && before === here && siteId !== here) storeLeft(statements, id, String(data.name ?? ''), siteId);
    statements.upsertStore.run({
      id,
      uuid: String(data.uuid ?? ''),
      code: String(data.code ?? ''),
      name: String(data.name ?? ''),
      siteId,
    });
  }
}

/**
 * Applies central_records from the saved cursor up to change `upTo` (all of them when not given),
 * a batch and the new cursor in one transaction. `report` shows it as the run's "sites and stores" step.
 */
export async function applyCentralChanges(run: RunContext, options: { upTo?: number; report?: boolean } = {}): Promise<void> {
  // Prepared only when there is something to apply: a pull asks before every batch, and mostly there is not.
  let statements: CentralStatements | null = null;
  const upTo = options.upTo ?? Number.MAX_SAFE_INTEGER;
  const progress = (done: number, total: number) => {
    if (options.report) run.progress('pulling_central', 'Receiving sites and stores…', done, total);
  };
  let state = run.state.read();
  // The total is known from the first answer: the central's newest change ID less the cursor (IDs
  // run without gaps, so it is the number of changes to receive).
  let done = 0;
  let total = 0;
  for (let pass = 0; pass < 1_000_000 && state.centralCursor < upTo; pass += 1) {
    progress(done, total);
    const answer = (await run.central.call(
      'GET',
      `${syncRoutes.centralRecords}?cursor=${state.centralCursor}&limit=${run.batch.pull}`,
    )) as CentralRecordsAnswer | null;
    if (!answer || !Array.isArray(answer.data) || typeof answer.maxCursor !== 'number') throw new SyncRunError(notUnderstood, 'server_error');
    const end = Math.min(answer.maxCursor, upTo);
    total = Math.max(total, done + Math.max(0, end - state.centralCursor));
    const records = answer.data.filter((r) => r.ID <= upTo);
    if (records.length === 0) break;
    const cursor = state.centralCursor;
    state = run.sqlite
      .transaction(() => {
        const here = activeSiteId(run.sqlite);
        statements ??= centralStatements(run.sqlite);
        for (const record of records) applyCentralRecord(statements, record, here);
        return run.state.update({ centralCursor: Math.max(cursor, ...records.map((r) => r.ID)) });
      })
      .immediate();
    done += records.length;
    total = Math.max(total, done);
    if (records.length < answer.data.length || state.centralCursor >= end) break;
  }
  progress(done, total);
}

/**
 * Pulls central_records from the saved cursor; then this datafile acts as `siteId` once that site
 * has arrived, and its own site shows this machine's hardware ID, which the central bound to it.
 */
export async function pullCentralRecords(run: RunContext, siteId: number, hardwareId: string): Promise<void> {
  await applyCentralChanges(run, { report: true });
  const known = run.sqlite.prepare('select 1 from site where id = ?').get(siteId);
  if (!known) return;
  run.sqlite
    .transaction(() => {
      if (getSetting(run.sqlite, 'active_site_id') !== siteId) setSetting(run.sqlite, 'active_site_id', siteId);
      run.sqlite.prepare('update site set hardware_id = ? where id = ? and hardware_id is not ?').run(hardwareId, siteId, hardwareId);
    })
    .immediate();
}
