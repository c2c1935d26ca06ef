/**
 * A sync run of a remote site (Sync now, or the scheduler): push first, then pull.
 *
 * 1. GET site: who the central says this site is (the Site mismatch guard).
 * 2. Acknowledge what the last run applied but could not acknowledge (it was cut off).
 * 3. Push remote_out in batches, each POST queued_records carrying how many remain, the last with
 *    queueLength 0 (sent even when there is nothing, so an integration a crash cut short resumes).
 *    Accepted records leave remote_out; refused ones stay, marked with the central's reason.
 *    Then wait for site_status idle while the central integrates.
 * 4. First run only: POST initialise and wait for site_status idle.
 * 5. Pull central_records from the saved cursor; each batch and the new cursor in one transaction.
 * 6. Pull queued_records; each batch is applied together with the list of its IDs to acknowledge,
 *    in one transaction, then acknowledged. A crash between the two re-acknowledges at step 2.
 *
 * Every step is safe to repeat: applying a record twice is harmless, and pushed records carry
 * their remote_out ID, which the central integrates at most once. A record received for a line
 * with an unpushed local change is skipped: this site owns its stores' data, and the local change
 * goes to the central on the next push.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Datafile } from '../../db/datafile';
import { deleteSetting, getSetting, type RemoteSyncSettings, type RemoteSyncState, setSetting } from '../../db/settings';
import type { SyncPhase, SyncStatus } from '../../shared/contract';
import { AppFailure } from '../../shared/errors';
import { nameKey } from '../../shared/names';
import { type SyncHttpResponse, SyncTransportError } from './http-client';
import {
  type CentralRecord,
  type CentralRecordsAnswer,
  type PushAnswer,
  type QueuedRecord,
  type QueuedRecordsAnswer,
  STORE_RECORD_TABLE,
  syncHeaders,
  syncRoutes,
} from './protocol';
import { connectionMessages, parseCentralUrl, type RemoteSync } from './remote-sync';
import { requestWithRetry } from './request-with-retry';
import { readStoreRecordData, storeRecordStatements } from './store-data';
import { isCentralServerDatafile, isFreshDatafile } from '../services/datafile-role';
import { parseJson, shown } from './answer-text';
import { applyOwnSiteSettings, type OwnSiteSettings } from '../services/own-site-settings';

export interface RemoteStoreSyncOptions {
  /** Records per pushed batch. */
  pushBatch?: number;
  /** Records asked for per pull. */
  pullBatch?: number;
  /** Pause between site_status polls while the central is busy for this site. */
  statusPollMs?: number;
  /** Longest wait for the central to finish integrating or initialising. */
  maxBusyWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RemoteStoreSyncEvents {
  /** Status changed: progress, a run started or ended. */
  status: [];
  /** Store data changed by a pull (windows showing stock refresh). */
  stockChanged: [];
  /** A run ended (successfully or not): the scheduler counts the interval from here. */
  runFinished: [];
  intervalChanged: [];
}

/** A run failure whose message is already in words for the status line. */
export class SyncRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncRunError';
  }
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));



interface OutRow {
  id: number;
  storeId: number;
  tableName: string;
  recordId: string;
  action: 'insert' | 'update' | 'delete';
  data: string | null;
}

export class RemoteStoreSync {
  readonly events = new EventEmitter<RemoteStoreSyncEvents>();
  private current: Promise<SyncStatus> | null = null;
  private progress: SyncStatus['progress'] = null;
  private closed = false;
  /** Set by the scheduler, for the status line. */
  nextRunAt: Date | null = null;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly records: ReturnType<typeof storeRecordStatements>;

  constructor(
    private readonly datafile: Datafile,
    private readonly remote: RemoteSync,
    private readonly options: RemoteStoreSyncOptions = {},
  ) {
    this.sleep = options.sleep ?? sleepFor;
    this.records = storeRecordStatements(datafile.sqlite);
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  isRunning(): boolean {
    return this.current !== null;
  }

  /** Stops a run between steps; the next run (after reopening) carries on where it left off. */
  close(): void {
    this.closed = true;
  }

  // ---- status --------------------------------------------------------------------------------

  private isCentralServer(): boolean {
    return isCentralServerDatafile(this.sqlite);
  }

  private isFreshDatafile(): boolean {
    return isFreshDatafile(this.sqlite);
  }

  intervalMinutes(): number {
    return getSetting(this.sqlite, 'sync_interval_minutes') ?? 10;
  }

  setIntervalMinutes(minutes: number): void {
    setSetting(this.sqlite, 'sync_interval_minutes', minutes);
    this.events.emit('intervalChanged');
    this.events.emit('status');
  }

  status(): SyncStatus {
    const settings = getSetting(this.sqlite, 'remote_sync');
    const state = settings ? this.stateFor(settings) : null;
    const counts = this.sqlite
      .prepare(
        `select count(*) filter (where refused_at is null) as waitingOut, count(*) filter (where refused_at is not null) as refused,
                (select refused_message from remote_out where refused_at is not null order by id desc limit 1) as refusedMessage
         from remote_out`,
      )
      .get() as { waitingOut: number; refused: number; refusedMessage: string | null };
    return {
      configured: settings !== undefined,
      isCentralServer: this.isCentralServer() && !(settings && this.isFreshDatafile()),
      canEnableSync: !this.isCentralServer() || this.isFreshDatafile(),
      initialised: state?.initialisedAt != null,
      running: this.current !== null,
      progress: this.current ? this.progress : null,
      lastSuccessAt: state?.lastSuccessAt ?? null,
      lastError: state?.lastError ?? null,
      waitingOut: counts.waitingOut,
      waitingIn: state?.waitingIn ?? null,
      refused: counts.refused,
      refusedMessage: counts.refusedMessage,
      intervalMinutes: this.intervalMinutes(),
      nextRunAt: this.nextRunAt ? this.nextRunAt.toISOString() : null,
    };
  }

  private setProgress(phase: SyncPhase, message: string, done = 0, total = 0): void {
    this.progress = { phase, message, done, total };
    this.events.emit('status');
  }

  // ---- state ---------------------------------------------------------------------------------

  /** The saved state, or a fresh one when the datafile was pointed at another site. */
  private stateFor(settings: RemoteSyncSettings): RemoteSyncState {
    const saved = getSetting(this.sqlite, 'remote_sync_state');
    if (saved && saved.siteKey === nameKey(settings.siteName)) return saved;
    return {
      siteKey: nameKey(settings.siteName),
      instanceId: randomUUID(),
      initialisedAt: null,
      centralCursor: 0,
      pendingAcks: [],
      lastSuccessAt: null,
      lastAttemptAt: null,
      lastError: null,
      waitingIn: null,
    };
  }

  private saveState(state: RemoteSyncState): void {
    setSetting(this.sqlite, 'remote_sync_state', state);
  }

  private updateState(settings: RemoteSyncSettings, change: Partial<RemoteSyncState>): RemoteSyncState {
    const next = { ...this.stateFor(settings), ...change };
    this.saveState(next);
    return next;
  }

  // ---- the run -------------------------------------------------------------------------------

  /** Runs a sync, or joins the one already running. Never rejects for sync failures: they are in lastError. */
  syncNow(): Promise<SyncStatus> {
    if (this.current) return this.current;
    const settings = getSetting(this.sqlite, 'remote_sync');
    if (!settings) {
      if (this.isCentralServer()) return Promise.reject(new AppFailure('sync_not_on_central'));
      return Promise.reject(new AppFailure('sync_not_configured', 'Sync is not set up on this datafile. Use Enabling sync first.'));
    }
    // A new datafile starts as its own central server until its first sync makes it the remote
    // site; a datafile that already holds a system of sites and stores must never be overwritten.
    if (this.isCentralServer() && !this.isFreshDatafile()) return Promise.reject(new AppFailure('sync_not_on_central'));
    // Started on the next tick, so `current` is set before the run reports its first progress;
    // the status answered is read after the run is over (running: false).
    const run = Promise.resolve()
      .then(() => this.run(settings))
      .finally(() => {
        this.current = null;
        this.progress = null;
        this.events.emit('runFinished');
        this.events.emit('status');
      })
      .then(() => this.status());
    this.current = run;
    return run;
  }

  private async run(settings: RemoteSyncSettings): Promise<void> {
    const startedAt = new Date().toISOString();
    this.updateState(settings, { lastAttemptAt: startedAt });
    try {
      await new SyncRun(this, settings, this.stateFor(settings).instanceId).execute();
      if (!this.closed) this.updateState(settings, { lastSuccessAt: new Date().toISOString(), lastError: null });
    } catch (error) {
      if (this.closed || !this.datafile.sqlite.open) throw error;
      const message =
        error instanceof SyncRunError || error instanceof AppFailure
          ? error.message
          : 'Something went wrong during sync. It will be tried again on the next sync.';
      if (!(error instanceof SyncRunError)) console.error('Sync run failed:', error);
      this.updateState(settings, { lastError: message });
    }
  }

  // Steps used by SyncRun (kept here: they touch this datafile).

  /** @internal */ checkOpen(): void {
    if (this.closed || !this.datafile.sqlite.open) throw new SyncRunError('Sync stopped: the datafile was closed.');
  }

  /** @internal */ get internals() {
    return {
      sqlite: this.sqlite,
      records: this.records,
      remote: this.remote,
      options: this.options,
      sleep: this.sleep,
      stateFor: (s: RemoteSyncSettings) => this.stateFor(s),
      updateState: (s: RemoteSyncSettings, c: Partial<RemoteSyncState>) => this.updateState(s, c),
      setProgress: (phase: SyncPhase, message: string, done?: number, total?: number) =>
        this.setProgress(phase, message, done, total),
      stockChanged: () => this.events.emit('stockChanged'),
    };
  }

  /** Forgets all sync progress (the datafile is pointed at another site); used by tests. */
  resetState(): void {
    deleteSetting(this.sqlite, 'remote_sync_state');
  }
}

/** One run: holds its headers and run ID; every HTTP call goes through `call`. */
class SyncRun {
  private ownSiteSettings: OwnSiteSettings | undefined;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly x: RemoteStoreSync['internals'];

  constructor(
    private readonly owner: RemoteStoreSync,
    private readonly settings: RemoteSyncSettings,
    instanceId: string,
  ) {
    this.x = owner.internals;
    const base = parseCentralUrl(settings.centralUrl);
    if (!base) throw new SyncRunError(connectionMessages.invalid_url);
    this.base = base;
    this.headers = {
      ...this.x.remote.headers(settings),
      [syncHeaders.syncRun]: `${instanceId}/${randomUUID()}`,
    };
  }

  private get sqlite() {
    return this.x.sqlite;
  }

  async execute(): Promise<void> {
    this.x.setProgress('connecting', 'Connecting to the central server…');
    const siteId = await this.identifySite();
    await this.acknowledgePending();
    await this.push();
    if (this.x.stateFor(this.settings).initialisedAt === null) {
      this.x.setProgress('initialising', 'The central server is preparing this site’s data…');
      const answer = (await this.call('POST', syncRoutes.initialise, {})) as { queueLength?: number };
      await this.waitUntilIdle('initialising', 'The central server is preparing this site’s data…');
      this.x.updateState(this.settings, { waitingIn: typeof answer.queueLength === 'number' ? answer.queueLength : null });
    }
    await this.pullCentralRecords(siteId);
    applyOwnSiteSettings(this.sqlite, siteId, this.ownSiteSettings);
    await this.pullQueuedRecords();
    const state = this.x.stateFor(this.settings);
    if (state.initialisedAt === null) this.x.updateState(this.settings, { initialisedAt: new Date().toISOString() });
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async call(method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
    this.owner.checkOpen();
    let response: SyncHttpResponse;
    try {
      response = await requestWithRetry(
        this.x.remote.httpClient(),
        {
          method,
          url: `${this.base}${route}`,
          headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
        this.x.remote.retry,
        this.x.sleep,
      );
    } catch (error) {
      if (!(error instanceof SyncTransportError)) throw error;
      if (error.kind === 'bad_response') throw new SyncRunError("The central server's answer was not understood.");
      throw new SyncRunError(`${connectionMessages[error.kind]}. Changes made here are kept and will be sent on the next sync.`);
    }
    this.owner.checkOpen();
    if (response.status === 204) return null;
    const parsed = parseJson(response.body);
    if (response.status >= 200 && response.status < 300) {
      if (parsed === undefined) throw new SyncRunError("The central server's answer was not understood.");
      return parsed;
    }
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : '';
    if (code in connectionMessages && code !== 'server_error') {
      throw new SyncRunError(connectionMessages[code as keyof typeof connectionMessages]);
    }
    if (response.status === 503) {
      const words = typeof error?.message === 'string' ? shown(error.message) : 'The central server is busy.';
      throw new SyncRunError(`${words} Sync will be tried again later.`);
    }
    const words = typeof error?.message === 'string' && error.message ? `: ${shown(error.message)}` : '';
    throw new SyncRunError(`The central server answered with an error (HTTP ${response.status})${words}`);
  }

  private async waitUntilIdle(phase: SyncPhase, message: string): Promise<void> {
    const poll = this.x.options.statusPollMs ?? 100;
    const deadline = Date.now() + (this.x.options.maxBusyWaitMs ?? 10 * 60_000);
    for (;;) {
      const status = (await this.call('GET', syncRoutes.siteStatus)) as { code?: unknown };
      if (status.code === 'idle') return;
      if (status.code === 'sync_is_running') {
        throw new SyncRunError('Another sync of this site is running (from another datafile or device). Try again later.');
      }
      if (Date.now() > deadline) throw new SyncRunError('The central server is still busy with this site. Sync will be tried again later.');
      this.x.setProgress(phase, message);
      await this.x.sleep(poll);
    }
  }

  // ---- steps ---------------------------------------------------------------------------------

  private async identifySite(): Promise<number> {
    const site = (await this.call('GET', syncRoutes.site)) as { id?: unknown; siteId?: unknown } & OwnSiteSettings;
    if (typeof site.id !== 'string' || typeof site.siteId !== 'number') {
      throw new SyncRunError("The central server's answer was not understood.");
    }
    this.ownSiteSettings = site;
    const settings = getSetting(this.sqlite, 'remote_sync');
    if (settings?.centralSiteUuid && settings.centralSiteUuid !== site.id) throw new SyncRunError(connectionMessages.site_mismatch);
    if (settings && !settings.centralSiteUuid) setSetting(this.sqlite, 'remote_sync', { ...settings, centralSiteUuid: site.id });
    return site.siteId;
  }

  private async acknowledgePending(): Promise<void> {
    const pending = this.x.stateFor(this.settings).pendingAcks;
    if (pending.length === 0) return;
    await this.call('POST', syncRoutes.acknowledgedRecords, { syncIDs: pending });
    this.x.updateState(this.settings, { pendingAcks: [] });
  }

  private async push(): Promise<void> {
    const batch = this.x.options.pushBatch ?? 1000;
    const countAfter = this.sqlite.prepare('select count(*) from remote_out where refused_at is null and id > ?').pluck();
    const nextBatch = this.sqlite.prepare(
      `select id, store_id as storeId, table_name as tableName, record_id as recordId, action, data
       from remote_out where refused_at is null and id > ? order by id limit ?`,
    );
    const removeSent = this.sqlite.prepare('delete from remote_out where id = ? and refused_at is null');
    const markRefused = this.sqlite.prepare('update remote_out set refused_at = ?, refused_message = ? where id = ?');
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
      const data: QueuedRecord[] = rows.map((r) =>
        r.data === null
          ? { syncOutId: r.id, tableName: r.tableName, recordId: r.recordId, action: r.action }
          : { syncOutId: r.id, tableName: r.tableName, recordId: r.recordId, action: r.action, recordData: JSON.parse(r.data) },
      );
      this.x.setProgress('pushing', 'Sending changes made here…', sent, total);
      const answer = (await this.call('POST', syncRoutes.queuedRecords, { queueLength: last ? 0 : remaining, data })) as PushAnswer;
      const refused = new Map((answer.refused ?? []).map((r) => [r.syncOutId, r.message]));
      const now = new Date().toISOString();
      this.sqlite
        .transaction(() => {
          for (const row of rows) {
            const reason = refused.get(row.id);
            if (reason !== undefined) markRefused.run(now, reason, row.id);
            else removeSent.run(row.id);
          }
        })
        .immediate();
      integrationStarted ||= answer.integrationStarted === true;
      sent += rows.length;
      after = lastId;
      this.owner.events.emit('status');
      if (last) break;
    }
    if (integrationStarted) await this.waitUntilIdle('integrating', 'The central server is integrating the changes sent…');
  }

  private async pullCentralRecords(siteId: number): Promise<void> {
    const limit = this.x.options.pullBatch ?? 10_000;
    const statements = centralStatements(this.sqlite);
    let state = this.x.stateFor(this.settings);
    for (let pass = 0; pass < 1_000_000; pass += 1) {
      this.x.setProgress('pulling', 'Receiving sites and stores…');
      const answer = (await this.call('GET', `${syncRoutes.centralRecords}?cursor=${state.centralCursor}&limit=${limit}`)) as
        | CentralRecordsAnswer
        | undefined;
      if (!answer || !Array.isArray(answer.data) || typeof answer.maxCursor !== 'number') {
        throw new SyncRunError("The central server's answer was not understood.");
      }
      if (answer.data.length === 0) break;
      const cursor = state.centralCursor;
      state = this.sqlite
        .transaction(() => {
          for (const record of answer.data) applyCentralRecord(statements, record);
          const top = Math.max(cursor, ...answer.data.map((r) => r.ID));
          return this.x.updateState(this.settings, { centralCursor: top });
        })
        .immediate();
      if (state.centralCursor >= answer.maxCursor) break;
    }
    // This datafile acts as its own site once the central's sites have arrived.
    const known = this.sqlite.prepare('select 1 from site where id = ?').get(siteId);
    if (known && getSetting(this.sqlite, 'active_site_id') !== siteId) setSetting(this.sqlite, 'active_site_id', siteId);
  }

  private async pullQueuedRecords(): Promise<void> {
    const limit = this.x.options.pullBatch ?? 10_000;
    const hasLocalChange = this.sqlite.prepare('select 1 from remote_out where record_id = ? and refused_at is null limit 1').pluck();
    const storeExists = this.sqlite.prepare('select 1 from store where id = ?').pluck();
    let done = 0;
    let total = 0;
    for (let pass = 0; pass < 1_000_000; pass += 1) {
      const answer = (await this.call('GET', `${syncRoutes.queuedRecords}?limit=${limit}`)) as QueuedRecordsAnswer | undefined;
      if (!answer || !Array.isArray(answer.data) || typeof answer.queueLength !== 'number') {
        throw new SyncRunError("The central server's answer was not understood.");
      }
      total = Math.max(total, done + answer.queueLength);
      this.x.setProgress('pulling', 'Receiving store data…', done, total);
      if (answer.data.length === 0) {
        this.x.updateState(this.settings, { waitingIn: 0 });
        return;
      }
      const ids = answer.data.map((r) => r.syncOutId);
      this.sqlite
        .transaction(() => {
          for (const record of answer.data) {
            if (record.tableName !== STORE_RECORD_TABLE) continue;
            if (hasLocalChange.get(record.recordId)) continue;
            if (record.action === 'delete') {
              this.x.records.remove(record.recordId);
              continue;
            }
            const data = readStoreRecordData(record.recordId, record.recordData);
            if (!data) continue;
            if (!storeExists.get(data.storeId)) {
              throw new SyncRunError('The central server sent stock of a store this site does not know yet. The next sync will fetch it.');
            }
            this.x.records.upsert(data);
          }
          this.x.updateState(this.settings, { pendingAcks: ids, waitingIn: Math.max(0, answer.queueLength - ids.length) });
        })
        .immediate();
      this.x.stockChanged();
      await this.call('POST', syncRoutes.acknowledgedRecords, { syncIDs: ids });
      this.x.updateState(this.settings, { pendingAcks: [] });
      done += ids.length;
    }
  }
}

function centralStatements(sqlite: Datafile['sqlite']) {
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
  };
}

function applyCentralRecord(statements: ReturnType<typeof centralStatements>, record: CentralRecord): void {
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
    statements.upsertStore.run({
      id,
      uuid: String(data.uuid ?? ''),
      code: String(data.code ?? ''),
      name: String(data.name ?? ''),
      siteId: Number(data.siteId),
    });
  }
}
